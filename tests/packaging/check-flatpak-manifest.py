#!/usr/bin/env python3
# check-flatpak-manifest.py: the Flatpak manifest cannot be built on machines
# without the GNOME runtime, so its structure is checked here instead.
#
# Usage: check-flatpak-manifest.py MANIFEST APP_ID
#
# SPDX-License-Identifier: MIT

import json
import os
import sys

# The sandbox holes the app needs, and no more: files go through the
# portals of the GTK file chooser, secrets through the Secret portal.
FINISH_ARGS = [
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
]
RUNTIME_VERSION = '47'
# What a user of the app never needs; a developer uses the -devel packages.
CLEANUP = ['/include', '/lib/pkgconfig', '/share/gir-1.0', '/share/vala', '/share/doc', '*.a', '*.la']

manifest_path, app_id = sys.argv[1:3]
failures = []


def expect(condition, message):
    if not condition:
        failures.append(message)


with open(manifest_path, encoding='utf-8') as f:
    manifest = json.load(f)

expect(os.path.basename(manifest_path) == app_id + '.json',
       f'file name {os.path.basename(manifest_path)} does not match the app id {app_id}')
expect(manifest.get('id') == app_id, f'id is {manifest.get("id")!r}, expected {app_id!r}')
expect(manifest.get('runtime') == 'org.gnome.Platform', f'runtime is {manifest.get("runtime")!r}')
expect(manifest.get('sdk') == 'org.gnome.Sdk', f'sdk is {manifest.get("sdk")!r}')
expect(manifest.get('runtime-version') == RUNTIME_VERSION,
       f'runtime-version is {manifest.get("runtime-version")!r}, expected {RUNTIME_VERSION!r}')
expect(manifest.get('command') == 'metered-inspector', f'command is {manifest.get("command")!r}')
expect(manifest.get('finish-args') == FINISH_ARGS,
       f'finish-args are {manifest.get("finish-args")!r}, expected exactly {FINISH_ARGS!r}')

cleanup = manifest.get('cleanup', [])
for entry in CLEANUP:
    expect(entry in cleanup, f'cleanup does not remove {entry}')

modules = manifest.get('modules', [])
expect(isinstance(modules, list) and modules, 'no modules')
if modules:
    # The project is the last module; anything before it would be a
    # dependency missing from the runtime.
    project = modules[-1]
    expect(isinstance(project, dict), 'the project module is not inline')
    if isinstance(project, dict):
        expect(project.get('buildsystem') == 'meson',
               f'the project module builds with {project.get("buildsystem")!r}, not meson')
        sources = project.get('sources', [])
        expect(len(sources) == 1 and sources[0].get('type') == 'dir',
               'the project module is not built from the local directory')
        if len(sources) == 1:
            source_dir = os.path.normpath(os.path.join(os.path.dirname(manifest_path),
                                                       sources[0].get('path', '')))
            expect(os.path.isfile(os.path.join(source_dir, 'meson.build')),
                   f'the project module source {source_dir} is not the project')

for failure in failures:
    print(failure, file=sys.stderr)
print(f'{manifest_path}: {len(failures)} problems')
sys.exit(1 if failures else 0)
