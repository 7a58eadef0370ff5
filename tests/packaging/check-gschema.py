#!/usr/bin/env python3
# check-gschema.py: every settings key explains itself (a summary and a
# description, which dconf Editor shows), and every numeric key has the
# range the app can handle, so no other tool can store a value it cannot.
#
# Usage: check-gschema.py SCHEMA.gschema.xml
#
# SPDX-License-Identifier: MIT

import sys
import xml.etree.ElementTree as ET

NUMERIC = {'y', 'n', 'q', 'i', 'u', 'x', 't', 'd'}

path = sys.argv[1]
failures = []
keys = 0
for schema in ET.parse(path).getroot().iter('schema'):
    for key in schema.iter('key'):
        keys += 1
        name = f'{schema.get("id")}.{key.get("name")}'
        for field in ('summary', 'description'):
            if not (key.findtext(field) or '').strip():
                failures.append(f'{name} has no {field}')
        if key.get('type') in NUMERIC and key.find('range') is None:
            failures.append(f'{name} is a number without a <range>')

for failure in failures:
    print(failure, file=sys.stderr)
print(f'{keys} keys checked, {len(failures)} problems')
sys.exit(1 if failures else 0)
