#!/usr/bin/env python3
# check-potfiles.py: po/POTFILES.in lists every file with translatable
# strings, and nothing that does not exist.
#
# Usage: check-potfiles.py SOURCE_ROOT
#
# A string in a file missing from POTFILES.in never reaches translators,
# and nothing else notices: the app just stays half English.
#
# SPDX-License-Identifier: MIT

import os
import re
import sys

SCANNED_DIRS = ('src', 'data')

# gettext calls in C: _(), N_(), C_(), NC_(), Q_() and the g_*gettext family.
C_MARKERS = re.compile(r'(?<![\w])(?:_|N_|C_|NC_|Q_|g_dngettext|g_dpgettext2?|g_dgettext|ngettext)\s*\(')
UI_MARKER = re.compile(r'translatable\s*=\s*"(?:yes|true)"')
# Desktop-file, AppStream and settings-schema sources are translatable by
# their format.
DATA_SUFFIXES = ('.desktop.in.in', '.desktop.in', '.metainfo.xml.in.in', '.metainfo.xml.in', '.gschema.xml')


def needs_translation(path):
    if path.endswith(DATA_SUFFIXES):
        return True
    if path.endswith(('.c', '.h')):
        with open(path, encoding='utf-8', errors='replace') as f:
            return bool(C_MARKERS.search(f.read()))
    if path.endswith('.ui'):
        with open(path, encoding='utf-8', errors='replace') as f:
            return bool(UI_MARKER.search(f.read()))
    return False


def main():
    root = sys.argv[1]
    listed = []
    with open(os.path.join(root, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                listed.append(line)

    failures = []
    for path in listed:
        if not os.path.isfile(os.path.join(root, path)):
            failures.append(f'po/POTFILES.in lists {path}, which does not exist')
    duplicates = sorted({path for path in listed if listed.count(path) > 1})
    for path in duplicates:
        failures.append(f'po/POTFILES.in lists {path} more than once')

    for scanned in SCANNED_DIRS:
        for directory, subdirs, files in os.walk(os.path.join(root, scanned)):
            subdirs.sort()
            for name in sorted(files):
                path = os.path.relpath(os.path.join(directory, name), root)
                if path not in listed and needs_translation(os.path.join(root, path)):
                    failures.append(f'{path} has translatable strings but is missing from po/POTFILES.in')

    for failure in failures:
        print(failure, file=sys.stderr)
    print(f'{len(listed)} files listed, {len(failures)} problems')
    return 1 if failures else 0


sys.exit(main())
