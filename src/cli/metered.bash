# bash completion for metered(1)
#
# SPDX-License-Identifier: MIT
#
# Self-contained: works without the bash-completion package's helpers.

_metered()
{
    local cur prev word command=""
    local i
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}

    local commands="sub pub send presence token devserver"
    local connection="--url --api-key --token --token-command --pretty --verbose --help"

    # The command is the first word that is neither an option nor an
    # option's value.
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        case $word in
            -u|--url|-k|--api-key|-t|--token|--token-command)
                ((i++)) ;;
            -*) ;;
            *) command=$word; break ;;
        esac
    done

    case $prev in
        --config)
            COMPREPLY=($(compgen -f -- "$cur"))
            return ;;
        --url|-u)
            COMPREPLY=($(compgen -W "wss://rms.metered.ca ws://127.0.0.1:8787" -- "$cur"))
            return ;;
        --permissions)
            COMPREPLY=($(compgen -W "subscribe publish presence send" -- "$cur"))
            return ;;
        -k|--api-key|-t|--token|--token-command|--secret-id|--secret|--sub|--channels|\
        --peer-metadata|--ttl|--rate|-r|--host|--port)
            # Values only the user knows.
            return ;;
    esac

    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$connection --version" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    [[ $cur == -* ]] || return

    local options
    case $command in
        sub) options="--sender-metadata $connection" ;;
        pub|send) options="--lines --rate $connection" ;;
        presence) options="--follow $connection" ;;
        token) options="--secret-id --secret --sub --channels --permissions --peer-metadata --ttl --help" ;;
        devserver) options="--host --port --config --demo --test-hooks --help" ;;
        *) return ;;
    esac
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
}

complete -F _metered metered
