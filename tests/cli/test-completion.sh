#!/bin/bash
# The bash completion offers commands, options per command and values.
# Usage: test-completion.sh metered.bash
set -eu

# shellcheck source=/dev/null
source "$1"

complete_line() {
    # Completes the last word of "$@" as if typed after "metered".
    COMP_WORDS=(metered "$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _metered
    printf '%s\n' "${COMPREPLY[*]:-}"
}

expect() {
    local expected=$1; shift
    local got
    got=$(complete_line "$@")
    if [ "$got" != "$expected" ]; then
        echo "metered $*: expected '$expected', got '$got'" >&2
        exit 1
    fi
}

[ "$(complete -p metered)" = "complete -F _metered metered" ]

expect "sub send" s
expect "pub presence" p
expect "token" --api-key pk_live_x t
expect "devserver" -v d
expect "--sender-metadata" sub --s
expect "--lines" pub --l
expect "--follow" presence --f
expect "--permissions --peer-metadata" token --pe
expect "--port" devserver --po
expect "publish presence" token --permissions p
expect "" --token ""
expect "--token --token-command" --tok
