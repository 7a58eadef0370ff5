#!/usr/bin/env python3
# check-metainfo.py: what appstreamcli cannot check offline. The
# screenshots are the repository's own images, named by their raw GitHub
# URL, with their real sizes; the newest release is this version.
#
# Usage: check-metainfo.py METAINFO SOURCE_ROOT VERSION APP_ID
#
# SPDX-License-Identifier: MIT

import os
import struct
import sys
import xml.etree.ElementTree as ET

RAW_PREFIX = 'https://raw.githubusercontent.com/metered-inspector/metered-inspector/main/'

metainfo, root, version, app_id = sys.argv[1:5]
failures = []
component = ET.parse(metainfo).getroot()

if component.findtext('id') != app_id:
    failures.append(f'id is {component.findtext("id")!r}, expected {app_id!r}')
launchable = component.findtext('launchable')
if launchable != app_id + '.desktop':
    failures.append(f'launchable is {launchable!r}, expected {app_id}.desktop')

images = component.findall('screenshots/screenshot/image')
if not images:
    failures.append('no screenshots')
for image in images:
    url = image.text.strip()
    if not url.startswith(RAW_PREFIX):
        failures.append(f'screenshot {url} is not a raw URL of this repository')
        continue
    path = os.path.join(root, url[len(RAW_PREFIX):])
    try:
        with open(path, 'rb') as f:
            header = f.read(24)
    except OSError:
        failures.append(f'screenshot {url} names {path}, which does not exist')
        continue
    if header[:8] != b'\x89PNG\r\n\x1a\n':
        failures.append(f'screenshot {path} is not a PNG')
        continue
    width, height = struct.unpack('>II', header[16:24])
    if (image.get('width'), image.get('height')) != (str(width), str(height)):
        failures.append(f'screenshot {path} is {width}x{height}, the metainfo says '
                        f'{image.get("width")}x{image.get("height")}')

releases = component.findall('releases/release')
if not releases or releases[0].get('version') != version:
    failures.append(f'the newest release is not {version}')

for failure in failures:
    print(failure, file=sys.stderr)
print(f'{metainfo}: {len(failures)} problems')
sys.exit(1 if failures else 0)
