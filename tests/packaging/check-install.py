#!/usr/bin/env python3
# check-install.py: `meson install --destdir` the build into a temporary
# directory, check the tree holds everything a distribution ships, and run
# the installed programs from it.
#
# Usage: check-install.py --meson MESON --builddir DIR --shim SHIM
#          --bindir DIR --libdir DIR --textdomain DOMAIN --de-po FILE
#          --version VERSION [--gjs GJS] [--typelib-dir DIR] FILE...
#
# FILE... and the directories are absolute paths under the configured
# prefix; the test looks for them under the DESTDIR.
#
# The installed metered-inspector finds its catalog through the localedir
# compiled into it. To read the catalog installed in the DESTDIR, it runs
# with localedir-shim preloaded, which prefixes that directory with the
# DESTDIR (see localedir-shim.c).
#
# SPDX-License-Identifier: MIT

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

failures = []


def fail(message):
    failures.append(message)


def po_translation(po_path, msgid):
    """The msgstr of a one-line msgid in a .po file, or None."""
    with open(po_path, encoding='utf-8') as f:
        lines = [line.strip() for line in f]
    for i, line in enumerate(lines):
        if line == f'msgid "{msgid}"' and i + 1 < len(lines) and lines[i + 1].startswith('msgstr "'):
            text = lines[i + 1][len('msgstr "'):-1]
            return text or None
    return None


def run(argv, env, what):
    try:
        result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        fail(f'{what}: {error}')
        return None
    if result.returncode != 0:
        fail(f'{what} exited with {result.returncode}: {result.stderr.strip()}')
        return None
    return result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--meson', required=True)
    parser.add_argument('--builddir', required=True)
    parser.add_argument('--shim', required=True)
    parser.add_argument('--bindir', required=True)
    parser.add_argument('--libdir', required=True)
    parser.add_argument('--textdomain', required=True)
    parser.add_argument('--de-po', required=True)
    parser.add_argument('--version', required=True)
    parser.add_argument('--gjs')
    parser.add_argument('--typelib-dir')
    parser.add_argument('files', nargs='+')
    args = parser.parse_args()

    destdir = tempfile.mkdtemp(prefix='metered-install-')
    try:
        install = subprocess.run([args.meson, 'install', '-C', args.builddir, '--no-rebuild',
                                  '--quiet', '--destdir', destdir],
                                 capture_output=True, text=True, timeout=300)
        if install.returncode != 0:
            print(install.stdout, install.stderr, sep='\n', file=sys.stderr)
            fail(f'meson install exited with {install.returncode}')
            return report()

        def staged(path):
            return destdir + path

        for path in args.files:
            if not os.path.exists(staged(path)):
                fail(f'{path} is not installed')
            elif path.endswith(('.desktop', '.metainfo.xml')):
                # Merged with the translations at build time.
                with open(staged(path), encoding='utf-8') as f:
                    text = f.read()
                if 'Name[de]=' not in text and 'xml:lang="de"' not in text:
                    fail(f'{path} carries no German translation')

        env = dict(os.environ)
        env['LD_LIBRARY_PATH'] = staged(args.libdir)
        # Rule out the build tree's copies: the installed files must do.
        for name in ('GI_TYPELIB_PATH', 'GSETTINGS_SCHEMA_DIR', 'XDG_DATA_DIRS'):
            env.pop(name, None)

        inspector = staged(os.path.join(args.bindir, 'metered-inspector'))
        output = run([inspector, '--version'], env, 'metered-inspector --version')
        if output is not None and args.version not in output:
            fail(f'metered-inspector --version printed {output!r}, not version {args.version}')

        output = run([staged(os.path.join(args.bindir, 'metered')), '--version'], env, 'metered --version')
        if output is not None and args.version not in output:
            fail(f'metered --version printed {output!r}, not version {args.version}')

        run([staged(os.path.join(args.bindir, 'metered-devserver')), '--help'], env, 'metered-devserver --help')

        if args.gjs and args.typelib_dir:
            gi_env = dict(env, GI_TYPELIB_PATH=staged(args.typelib_dir))
            output = run([args.gjs, '-c',
                          "imports.gi.versions.Metered = '1';"
                          "print(imports.gi.Metered.Client.$gtype.name);"],
                         gi_env, 'loading the installed Metered-1 typelib')
            if output is not None and output.strip() != 'MeteredClient':
                fail(f'the installed typelib gave {output!r}')

        # German from the installed catalog.
        expected = po_translation(args.de_po, 'Show the version and exit')
        if expected is None:
            fail(f'{args.de_po} does not translate "Show the version and exit"')
        else:
            # After anything already preloaded (a sanitizer run preloads its
            # runtime, which must stay first); a sanitized build run without
            # that preload would see the shim first, which ASan tolerates
            # only when told to.
            preload = ' '.join(filter(None, [os.environ.get('LD_PRELOAD'), os.path.abspath(args.shim)]))
            de_env = dict(env, LANG='C.UTF-8', LANGUAGE='de',
                          LD_PRELOAD=preload,
                          METERED_TEST_DESTDIR=destdir,
                          METERED_TEST_TEXTDOMAIN=args.textdomain,
                          ASAN_OPTIONS=':'.join(filter(None, [os.environ.get('ASAN_OPTIONS'),
                                                              'verify_asan_link_order=0'])))
            de_env.pop('LC_ALL', None)
            de_env.pop('LC_MESSAGES', None)
            output = run([inspector, '--help'], de_env, 'LANGUAGE=de metered-inspector --help')
            if output is not None and expected not in output:
                fail(f'LANGUAGE=de metered-inspector --help is not in German: {output!r}')

        return report()
    finally:
        shutil.rmtree(destdir, ignore_errors=True)


def report():
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f'install checked, {len(failures)} problems')
    return 1 if failures else 0


sys.exit(main())
