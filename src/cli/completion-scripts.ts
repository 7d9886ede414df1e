import type { CommandSpec, OptionSpec } from './command.js';

// `guv completion bash|zsh`: scripts generated from the command table. Pure.

export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

/** `-n, --name <name>` → `['-n', '--name']`; `--no-color` stays `--no-color`. */
export function optionWords(option: OptionSpec): string[] {
  return option.flags
    .split(/[ ,|]+/)
    .filter((word) => word.startsWith('-'))
    .map((word) => word.replace(/[<[].*$/, ''));
}

/** The long flags taking a value, whose next word is not completed as a process. */
function valueOptions(options: readonly OptionSpec[]): string[] {
  return options.filter((o) => /[<[]/.test(o.flags)).flatMap(optionWords);
}

interface Row {
  names: string[];
  options: string[];
  values: string[];
  processes: boolean;
}

function rows(table: readonly CommandSpec[], globals: readonly OptionSpec[]): Row[] {
  return table
    .filter((spec) => !spec.hidden)
    .map((spec) => {
      const options = [...(spec.options ?? []), ...globals];
      return {
        names: [spec.name, ...(spec.aliases ?? [])],
        options: [...options.flatMap(optionWords), '--help'],
        values: valueOptions(options),
        processes: spec.completesProcesses === true,
      };
    });
}

/** A bash completion script: `source <(guv completion bash)`. */
export function bashCompletion(
  table: readonly CommandSpec[],
  globals: readonly OptionSpec[],
): string {
  const all = rows(table, globals);
  const commands = all.flatMap((row) => row.names).join(' ');
  const top = [...globals.flatMap(optionWords), '--help', '--version'].join(' ');
  const cases = all
    .map((row) => {
      const values = row.values.length > 0 ? ` values="${row.values.join(' ')}";` : '';
      return `    ${row.names.join('|')}) opts="${row.options.join(' ')}";${values} procs=${row.processes ? 1 : 0} ;;`;
    })
    .join('\n');
  return `# guv completion for bash: add 'source <(guv completion bash)' to ~/.bashrc
_guv() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local i cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in
      --host) ((i++)) ;;
      -*) ;;
      *) cmd=\${COMP_WORDS[i]}; break ;;
    esac
  done
  COMPREPLY=()
  if [[ -z $cmd ]]; then
    [[ $prev == --host ]] && return
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "${top}" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "${commands} help" -- "$cur"))
    fi
    return
  fi
  local opts="" values="" procs=0
  case $cmd in
${cases}
    help) COMPREPLY=($(compgen -W "${commands}" -- "$cur")); return ;;
    *) return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ " $values " == *" $prev "* ]]; then
    return
  elif ((procs)); then
    COMPREPLY=($(compgen -W "$(guv __processes 2>/dev/null)" -- "$cur"))
  fi
}
complete -o default -F _guv guv
`;
}

/** A zsh single-quoted word. */
function zshQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A zsh completion script: `source <(guv completion zsh)` (after compinit). */
export function zshCompletion(
  table: readonly CommandSpec[],
  globals: readonly OptionSpec[],
): string {
  const visible = table.filter((spec) => !spec.hidden);
  const described = visible
    .flatMap((spec) =>
      [spec.name, ...(spec.aliases ?? [])].map(
        (name) => `    ${zshQuote(`${name.replace(/:/g, '\\:')}:${spec.summary}`)}`,
      ),
    )
    .join('\n');
  const all = rows(table, globals);
  const cases = all
    .map(
      (row) =>
        `    ${row.names.join('|')}) opts=(${row.options.join(' ')}); procs=${row.processes ? 1 : 0} ;;`,
    )
    .join('\n');
  const top = [...globals.flatMap(optionWords), '--help', '--version'].join(' ');
  return `#compdef guv
# guv completion for zsh: add 'source <(guv completion zsh)' to ~/.zshrc, after compinit
_guv() {
  local -a commands opts
  local cmd="" procs=0 i
  commands=(
${described}
  )
  for ((i = 2; i < CURRENT; i++)); do
    case \${words[i]} in
      --host) ((i++)) ;;
      -*) ;;
      *) cmd=\${words[i]}; break ;;
    esac
  done
  if [[ -z $cmd ]]; then
    if [[ \${words[CURRENT]} == -* ]]; then
      compadd -- ${top}
    else
      _describe -t commands 'guv command' commands
    fi
    return
  fi
  case $cmd in
${cases}
    help) _describe -t commands 'guv command' commands; return ;;
    *) _files; return ;;
  esac
  if [[ \${words[CURRENT]} == -* ]]; then
    compadd -- $opts
  elif ((procs)); then
    local -a names
    names=(\${(f)"$(guv __processes 2>/dev/null)"})
    (( \${#names} )) && compadd -- $names || _files
  else
    _files
  fi
}
compdef _guv guv
`;
}
