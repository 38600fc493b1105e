/**
 * conlab's entry point: finds the command, runs it, and turns errors into
 * one clear line and an exit code. Commands are loaded lazily so that
 * `conlab load` does not pay for the report renderer's imports.
 */
import { ErrorCodes, LabError, isLabError, unknownName } from '../core/errors.ts';
import { loadRegistryModules } from '../core/registry.ts';
import type { Command } from './command.ts';

const commandModules: Record<string, () => Promise<{ command: Command }>> = {
  batch: () => import('./commands/batch.ts'),
  load: () => import('./commands/load.ts'),
  merge: () => import('./commands/merge.ts'),
  k8s: () => import('./commands/k8s.ts'),
  serve: () => import('./commands/serve.ts'),
  'bench-server': () => import('./commands/bench-server.ts'),
  runtimes: () => import('./commands/runtimes.ts'),
  doctor: () => import('./commands/doctor.ts'),
  run: () => import('./commands/run.ts'),
  suite: () => import('./commands/suite.ts'),
  results: () => import('./commands/results.ts'),
  compare: () => import('./commands/compare.ts'),
  report: () => import('./commands/report.ts'),
  pipeline: () => import('./commands/pipeline.ts'),
  preset: () => import('./commands/preset.ts'),
};

export const commandNames = Object.keys(commandModules);

async function loadCommand(name: string): Promise<Command> {
  const loader = commandModules[name];
  if (!loader) throw unknownName(ErrorCodes.UNKNOWN_COMMAND, 'command', name, commandNames);
  return (await loader()).command;
}

async function printHelp(): Promise<void> {
  const lines = [
    'conlab — measure JavaScript concurrency models and runtimes',
    '',
    'usage: conlab <command> [flags]',
    '',
  ];
  for (const name of commandNames) {
    const command = await loadCommand(name);
    lines.push(`  ${name.padEnd(14)} ${command.summary}`);
  }
  // Straight from the registries, so a model or architecture added there shows up here.
  const { models } = await import('../models/registry.ts');
  const { architectures } = await import('../servers/subject/arch/registry.ts');
  lines.push(
    '',
    `models:        ${models.names().join(', ')}`,
    `architectures: ${architectures.names().join(', ')}`,
    '',
    "Run 'conlab <command> --help' for a command's flags. Add --debug to see stack traces.",
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((arg) => arg !== '--debug');
  const [name, ...rest] = args;
  try {
    // Models and architectures added outside the built-in lists; subjects import the same modules.
    await loadRegistryModules();
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      await printHelp();
      return 0;
    }
    if (name === '--version' || name === 'version') {
      const { conlabVersion } = await import('../core/version.ts');
      process.stdout.write(`${conlabVersion()}\n`);
      return 0;
    }
    const command = await loadCommand(name);
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${command.usage.trimEnd()}\n`);
      return 0;
    }
    return await command.run(rest);
  } catch (error) {
    if (isLabError(error)) {
      process.stderr.write(`conlab: ${error.describe()}\n`);
      if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
      return error.exitCode;
    }
    const internal = new LabError(
      ErrorCodes.INTERNAL,
      error instanceof Error ? error.message : String(error),
      {
        hint: 'this is a bug in conlab; rerun with --debug and report the stack trace',
        exitCode: 1,
      },
    );
    process.stderr.write(`conlab: ${internal.describe()}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
