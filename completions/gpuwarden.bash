# bash completion for gpuwarden: subcommands, options, recipe names, sort fields.
# Installed by `make install` into $(PREFIX)/share/bash-completion/completions/gpuwarden.

_gpuwarden_recipes()
{
    # lines of `gpuwarden recipes` that start with a name (the first is the header)
    gpuwarden recipes 2>/dev/null | awk 'NR > 1 && /^[^ ]/ { print $1 }'
}

_gpuwarden()
{
    local cur prev words cword
    _init_completion || return
    local commands="offers check lint recipes cases launch instances stop destroy audit config"
    local common="--provider --api-url --query --from --sort --limit --json --recipe --min-vram
        --max-dph --min-reliability --block-regions --prefer-regions --min-inet --min-cuda
        --min-disk --num-gpus --offer --confirm --follow --offline --hub-url --github-url
        --hf-url --ssh-key --ssh-user --refresh --theme --no-color --mouse --no-mouse --help
        --version"
    case $prev in
    --provider) COMPREPLY=($(compgen -W "vast demo" -- "$cur")); return ;;
    --theme) COMPREPLY=($(compgen -W "default mono" -- "$cur")); return ;;
    --recipe) COMPREPLY=($(compgen -W "$(_gpuwarden_recipes)" -- "$cur"))
        compopt -o filenames 2>/dev/null
        COMPREPLY+=($(compgen -f -X '!*.json' -- "$cur")); return ;;
    --sort) COMPREPLY=($(compgen -W "verdict dph vram cc reliability net cuda disk gpu id score" \
        -- "$cur")); return ;;
    --from | --ssh-key) _filedir; return ;;
    --api-url | --query | --limit | --min-vram | --max-dph | --min-reliability | --block-regions | \
        --prefer-regions | --min-inet | --min-cuda | --min-disk | --num-gpus | --offer | \
        --confirm | --hub-url | --github-url | --hf-url | --ssh-user | --refresh) return ;;
    esac
    local i command=""
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in -*) ;; *) command=${words[i]}; break ;; esac
    done
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$common" -- "$cur"))
    elif [[ -z $command ]]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    elif [[ $command == lint ]]; then
        _filedir
    fi
}
complete -F _gpuwarden gpuwarden
