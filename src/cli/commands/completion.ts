/** `conlab completion bash|zsh|fish`: print a completion script made from every command's flags. */
import { ErrorCodes, LabError, unknownName } from '../../core/errors.ts';
import type { Command } from '../command.ts';
import { commandNames, loadCommand } from '../command-table.ts';
import { completionScript, shells } from '../completion.ts';

const usage = `usage: conlab completion bash|zsh|fish

Prints a shell completion script for conlab's commands, subcommands and
flags (made from the flags each command declares, so it is always current).

  bash   source <(conlab completion bash)        # or save to /etc/bash_completion.d/conlab
  zsh    conlab completion zsh > "\${fpath[1]}/_conlab"   # or: source <(conlab completion zsh)
  fish   conlab completion fish > ~/.config/fish/completions/conlab.fish`;

export const command: Command = {
  name: 'completion',
  usage,
  flags: {},
  async run(argv) {
    const [shellName, ...rest] = argv;
    if (shellName === undefined || rest.length > 0) {
      throw new LabError(ErrorCodes.USAGE, 'completion takes one shell: bash, zsh or fish', {
        hint: 'source <(conlab completion bash)',
      });
    }
    const shell = shells.find((name) => name === shellName);
    if (shell === undefined) throw unknownName(ErrorCodes.BAD_PARAM, 'shell', shellName, shells);
    const commands = await Promise.all(commandNames.map((name) => loadCommand(name)));
    process.stdout.write(completionScript(shell, commands));
    return 0;
  },
};
