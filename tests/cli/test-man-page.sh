#!/bin/sh
# The man page must render without a single warning (skipped without groff).
# Usage: test-man-page.sh metered.1
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

# Every command and every exit status is documented.
text=$(groff -man -Tutf8 "$1" 2>/dev/null | sed 's/.\x08//g')
for word in 'sub CHANNEL' 'pub CHANNEL' 'send PEER' 'presence CHANNEL' 'token' 'devserver' \
            'EXIT STATUS' 'METERED_API_KEY' 'METERED_TOKEN' 'METERED_URL' 'METERED_SECRET' \
            '"event":"message"' '"event":"direct"' '"event":"presence"' '"event":"state"'; do
    case $text in
        *"$word"*) ;;
        *) echo "the man page does not mention: $word" >&2; exit 1 ;;
    esac
done
