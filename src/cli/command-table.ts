/**
 * The table of commands: name → lazy module. main.ts runs them, `conlab
 * help` lists them, `conlab completion` reads their flags from it. Loaded
 * lazily so that `conlab load` does not pay for the report renderer's imports.
 */
import { ErrorCodes, unknownName } from '../core/errors.ts';
import type { Command } from './command.ts';

const commandModules: Record<string, () => Promise<{ command: Command }>> = {
  batch: () => import('./commands/batch.ts'),
  load: () => import('./commands/load.ts'),
  merge: () => import('./commands/merge.ts'),
  k8s: () => import('./commands/k8s.ts'),
  serve: () => import('./commands/serve.ts'),
  'bench-server': () => import('./commands/bench-server.ts'),
  runtimes: () => import('./commands/runtimes.ts'),
  run: () => import('./commands/run.ts'),
  suite: () => import('./commands/suite.ts'),
  results: () => import('./commands/results.ts'),
  compare: () => import('./commands/compare.ts'),
  report: () => import('./commands/report.ts'),
  pipeline: () => import('./commands/pipeline.ts'),
  preset: () => import('./commands/preset.ts'),
  completion: () => import('./commands/completion.ts'),
};

export const commandNames = Object.keys(commandModules);

export async function loadCommand(name: string): Promise<Command> {
  const loader = commandModules[name];
  if (!loader) throw unknownName(ErrorCodes.UNKNOWN_COMMAND, 'command', name, commandNames);
  return (await loader()).command;
}
