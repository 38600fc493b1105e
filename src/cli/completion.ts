/**
 * Shell completion scripts generated from the command table and each
 * command's parseArgs options (Command.flags), so a flag added to a command
 * is completed without touching this file. One model, three printers:
 * for each command (and subcommand) its flag spellings, and whether the
 * word after the command is a subcommand.
 */
import { flagSpellings, type Options } from './args.ts';
import type { Command } from './command.ts';
import { commands as commandTable } from './registry.ts';

export type Shell = 'bash' | 'zsh' | 'fish';
export const shells: readonly Shell[] = ['bash', 'zsh', 'fish'];

interface CommandModel {
  name: string;
  summary: string;
  /** Flags of the command itself (empty when it has subcommands). */
  flags: Options;
  /** Subcommand name → its flags. */
  subcommands: Record<string, Options>;
}

/** Options are keyed by flag name with a `type`; a subcommand map is keyed by subcommand with Options inside. */
function isOptions(value: Options | Record<string, Options>): value is Options {
  return Object.values(value).every((entry) => typeof (entry as { type?: unknown }).type === 'string');
}

export function completionModel(commands: Command[]): CommandModel[] {
  return commands.map((command) => {
    const flags = command.flags ?? {};
    // Summaries live in the command table (registry.ts), so `conlab help` loads no command module.
    const summary = commandTable[command.name]?.summary ?? '';
    return isOptions(flags)
      ? { name: command.name, summary, flags, subcommands: {} }
      : { name: command.name, summary, flags: {}, subcommands: flags };
  });
}

const words = (options: Options): string => [...flagSpellings(options), '--help'].join(' ');
const quote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`;

function bashScript(model: CommandModel[]): string {
  const cases = model.map((command) => {
    const subs = Object.entries(command.subcommands);
    if (subs.length === 0) return `    ${command.name}) flags=${quote(words(command.flags))} ;;`;
    const inner = subs.map(([sub, options]) => `        ${sub}) flags=${quote(words(options))} ;;`);
    return [
      `    ${command.name})`,
      `      if [[ $COMP_CWORD -eq 2 ]]; then COMPREPLY=($(compgen -W ${quote(subs.map(([sub]) => sub).join(' '))} -- "$cur")); return; fi`,
      '      case "${COMP_WORDS[2]}" in',
      ...inner,
      '      esac ;;',
    ].join('\n');
  });
  return `# conlab bash completion: source it, or save it as /etc/bash_completion.d/conlab
_conlab() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" flags=''
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W ${quote(`${model.map((command) => command.name).join(' ')} help --help --version -V`)} -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
    help) COMPREPLY=($(compgen -W ${quote(model.map((command) => command.name).join(' '))} -- "$cur")); return ;;
    completion) COMPREPLY=($(compgen -W ${quote(shells.join(' '))} -- "$cur")); return ;;
${cases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$flags" -- "$cur")); fi
}
complete -o default -F _conlab conlab
`;
}

function zshScript(model: CommandModel[]): string {
  const described = model.map((command) =>
    quote(`${command.name}:${command.summary.replaceAll(':', '\\:')}`),
  );
  const cases = model.map((command) => {
    const subs = Object.entries(command.subcommands);
    if (subs.length === 0) return `    ${command.name}) flags=(${words(command.flags)}) ;;`;
    const inner = subs.map(([sub, options]) => `        ${sub}) flags=(${words(options)}) ;;`);
    return [
      `    ${command.name})`,
      `      if (( CURRENT == 3 )); then compadd -- ${subs.map(([sub]) => sub).join(' ')}; return; fi`,
      '      case $words[3] in',
      ...inner,
      '      esac ;;',
    ].join('\n');
  });
  return `#compdef conlab
# conlab zsh completion: save as _conlab in a directory on $fpath, or source it
_conlab() {
  local -a commands flags
  commands=(${described.join(' ')})
  if (( CURRENT == 2 )); then _describe 'command' commands; return; fi
  case $words[2] in
    help) compadd -- ${model.map((command) => command.name).join(' ')}; return ;;
    completion) compadd -- ${shells.join(' ')}; return ;;
${cases.join('\n')}
  esac
  if [[ $PREFIX == -* ]]; then compadd -- $flags; else _files; fi
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then _conlab "$@"; else compdef _conlab conlab; fi
`;
}

function fishFlagLines(condition: string, options: Options): string[] {
  return Object.entries(options).map(([name, option]) => {
    const short = option.short === undefined ? '' : ` -s ${option.short}`;
    const takesValue = option.type === 'string' ? ' -r' : '';
    return `complete -c conlab -n ${quote(condition)} -l ${name}${short}${takesValue}`;
  });
}

function fishScript(model: CommandModel[]): string {
  const lines = [
    '# conlab fish completion: save as ~/.config/fish/completions/conlab.fish',
    'complete -c conlab -e',
    "complete -c conlab -n '__fish_use_subcommand' -s V -l version -d 'print the version'",
    "complete -c conlab -n '__fish_use_subcommand' -f -a help -d 'help for a command'",
    `complete -c conlab -n '__fish_seen_subcommand_from help' -f -a ${quote(model.map((command) => command.name).join(' '))}`,
    `complete -c conlab -n '__fish_seen_subcommand_from completion' -f -a ${quote(shells.join(' '))}`,
  ];
  for (const command of model) {
    lines.push(
      `complete -c conlab -n '__fish_use_subcommand' -f -a ${command.name} -d ${quote(command.summary)}`,
    );
    const subs = Object.entries(command.subcommands);
    if (subs.length === 0) {
      lines.push(...fishFlagLines(`__fish_seen_subcommand_from ${command.name}`, command.flags));
      continue;
    }
    const names = subs.map(([sub]) => sub).join(' ');
    lines.push(
      `complete -c conlab -n ${quote(`__fish_seen_subcommand_from ${command.name}; and not __fish_seen_subcommand_from ${names}`)} -f -a ${quote(names)}`,
    );
    for (const [sub, options] of subs)
      lines.push(
        ...fishFlagLines(
          `__fish_seen_subcommand_from ${command.name}; and __fish_seen_subcommand_from ${sub}`,
          options,
        ),
      );
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell, commands: Command[]): string {
  const model = completionModel(commands);
  return shell === 'bash' ? bashScript(model) : shell === 'zsh' ? zshScript(model) : fishScript(model);
}
