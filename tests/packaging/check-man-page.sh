#!/bin/sh
# The app's man page renders without a warning and documents every option
# the program's --help lists (skipped without groff).
# Usage: check-man-page.sh metered-inspector.1 PROGRAM
#
# SPDX-License-Identifier: MIT
set -eu

if ! command -v groff >/dev/null; then
    echo "1..0 # SKIP groff is not installed"
    exit 77
fi

warnings=$(groff -man -ww -z -rCHECKSTYLE=3 "$1" 2>&1)
if [ -n "$warnings" ]; then
    printf '%s\n' "$warnings" >&2
    exit 1
fi

text=$(groff -man -Tutf8 "$1" 2>/dev/null | sed 's/.\x08//g')
options=$(LC_ALL=C.UTF-8 LANGUAGE= "$2" --help | sed -n 's/^ *\(-., \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p' |
          grep -v -e '^--help-')
status=0
for option in $options; do
    case $text in
        *"$option"*) ;;
        *) echo "the man page does not document $option" >&2; status=1 ;;
    esac
done
exit $status
