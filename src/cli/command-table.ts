/**
 * Finding and loading a command by name, over the one table in registry.ts
 * (names, summaries, lazy loaders): main.ts runs them, `conlab completion`
 * reads their flags through it.
 */
import { ErrorCodes, unknownName } from '../core/errors.ts';
import type { Command } from './command.ts';
import { commands } from './registry.ts';

export const commandNames = Object.keys(commands);

export async function loadCommand(name: string): Promise<Command> {
  const entry = commands[name];
  if (!entry) throw unknownName(ErrorCodes.UNKNOWN_COMMAND, 'command', name, commandNames);
  return (await entry.load()).command;
}
