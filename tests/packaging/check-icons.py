#!/usr/bin/env python3
# check-icons.py: the app icons are well-formed SVG on the GNOME icon grids.
#
# Usage: check-icons.py --app FILE... --symbolic FILE...
#
# A full-colour app icon is drawn on the 128 px grid; a symbolic icon on the
# 16 px grid, in one colour and with fills only, because GTK recolours
# symbolic icons by overriding the fill of every shape.
#
# SPDX-License-Identifier: MIT

import argparse
import re
import sys
import xml.etree.ElementTree as ET

SVG = '{http://www.w3.org/2000/svg}'
SHAPES = {'path', 'rect', 'circle', 'ellipse', 'polygon', 'polyline', 'line'}
COLOUR = re.compile(r'#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$')

failures = []


def fail(path, message):
    failures.append(f'{path}: {message}')


def local(tag):
    return tag[len(SVG):] if tag.startswith(SVG) else tag


def paint_values(element):
    """Every fill and stroke the element sets, by attribute or style."""
    values = {}
    for prop in ('fill', 'stroke'):
        if prop in element.attrib:
            values[prop] = element.attrib[prop].strip()
    for declaration in element.attrib.get('style', '').split(';'):
        if ':' in declaration:
            prop, value = (part.strip() for part in declaration.split(':', 1))
            if prop in ('fill', 'stroke'):
                values[prop] = value
    return values


def load(path, size):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as error:
        fail(path, f'not well-formed XML: {error}')
        return None
    if root.tag != SVG + 'svg':
        fail(path, f'root element is {root.tag}, not an SVG <svg>')
        return None
    for attribute, expected in (('width', str(size)), ('height', str(size)),
                                ('viewBox', f'0 0 {size} {size}')):
        if root.attrib.get(attribute) != expected:
            fail(path, f'{attribute} is {root.attrib.get(attribute)!r}, expected {expected!r}')
    if not any(local(e.tag) in SHAPES for e in root.iter()):
        fail(path, 'draws nothing')
    for element in root.iter():
        if local(element.tag) in ('image', 'text', 'script', 'foreignObject'):
            fail(path, f'uses <{local(element.tag)}>: icons are plain vector shapes')
        for name, value in element.attrib.items():
            if name.endswith('href') and not value.startswith('#'):
                fail(path, f'links to {value!r}: icons must be self-contained')
    return root


def check_app(path):
    root = load(path, 128)
    if root is None:
        return
    colours = set()
    for element in root.iter():
        for value in paint_values(element).values():
            if COLOUR.match(value):
                colours.add(value.lower())
        if 'stop-color' in element.attrib:
            colours.add(element.attrib['stop-color'].lower())
    # A designed full-colour icon, not a single-colour placeholder shape.
    if len(colours) < 3:
        fail(path, f'only {len(colours)} colours: not a full-colour app icon')


def check_symbolic(path):
    root = load(path, 16)
    if root is None:
        return
    colours = set()
    for element in root.iter():
        tag = local(element.tag)
        if tag in ('linearGradient', 'radialGradient', 'pattern', 'filter', 'mask'):
            fail(path, f'uses <{tag}>: symbolic icons are flat')
        paints = paint_values(element)
        if paints.get('stroke', 'none') != 'none':
            fail(path, f'<{tag}> has a stroke: GTK recolours fills only')
        fill = paints.get('fill')
        if fill is not None and fill != 'none':
            if not COLOUR.match(fill):
                fail(path, f'<{tag}> fill {fill!r} is not a plain colour')
            colours.add(fill.lower())
        if float(element.attrib.get('opacity', '1')) != 1.0:
            fail(path, f'<{tag}> is translucent: symbolic icons are one solid colour')
    if len(colours) != 1:
        fail(path, f'uses {len(colours)} colours {sorted(colours)}: symbolic icons are monochrome')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--app', nargs='+', default=[])
    parser.add_argument('--symbolic', nargs='+', default=[])
    args = parser.parse_args()
    for path in args.app:
        check_app(path)
    for path in args.symbolic:
        check_symbolic(path)
    for failure in failures:
        print(failure, file=sys.stderr)
    checked = len(args.app) + len(args.symbolic)
    print(f'{checked} icons checked, {len(failures)} problems')
    return 1 if failures else 0


sys.exit(main())
