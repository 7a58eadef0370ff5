#!/bin/sh
# The CLI example of README.md, run verbatim by tests/cli/test-cli.c.
# Needs METERED_URL and METERED_API_KEY (e.g. a running `metered devserver`
# with ws://127.0.0.1:8787 and pk_live_dev).
set -e

# Subscribe in the background; its JSON Lines go to a file.
metered sub demo/room > events.jsonl &
sub=$!

# Wait for the presence snapshot: from then on the subscriber hears everything.
until grep -qs '"event":"presence"' events.jsonl; do sleep 0.1; done

metered pub demo/room '{"text":"hello"}'

until grep -qs '"event":"message"' events.jsonl; do sleep 0.1; done
kill $sub && wait $sub

# {"event":"message","channel":"demo/room","from":"…","data":{"text":"hello"}}
grep '"event":"message"' events.jsonl
