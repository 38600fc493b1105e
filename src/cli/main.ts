/**
 * conlab's entry point: finds the command, runs it, and turns errors into
 * one clear line and an exit code. Commands are loaded lazily so that
 * `conlab load` does not pay for the report renderer's imports.
 */
import { enableCompileCache } from '../core/compile-cache.ts';
import { ErrorCodes, LabError, isLabError, unknownName } from '../core/errors.ts';
import { loadRegistryModules } from '../core/registry.ts';
import type { Command } from './command.ts';
import { commands } from './registry.ts';

export const commandNames = Object.keys(commands);

async function loadCommand(name: string): Promise<Command> {
  const entry = commands[name];
  if (!entry) throw unknownName(ErrorCodes.UNKNOWN_COMMAND, 'command', name, commandNames);
  return (await entry.load()).command;
}

function printHelp(): void {
  const lines = [
    'conlab — measure JavaScript concurrency models and runtimes',
    '',
    'usage: conlab <command> [flags]',
    '',
  ];
  for (const [name, entry] of Object.entries(commands)) lines.push(`  ${name.padEnd(14)} ${entry.summary}`);
  // Models and architectures are listed by `batch --list` and `serve --help` (from the registries):
  // loading the registries here would load every lab and cost `conlab help` its start-up budget.
  lines.push(
    '',
    "Models: 'conlab batch --list'. Architectures: 'conlab serve --help'.",
    "Run 'conlab <command> --help' for a command's flags. Add --debug to see stack traces.",
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function main(argv: string[]): Promise<number> {
  // bin/conlab.js has turned the cache on already; this reports (once) if it could not.
  enableCompileCache();
  const debug = argv.includes('--debug');
  const args = argv.filter((arg) => arg !== '--debug');
  const [name, ...rest] = args;
  try {
    // Models and architectures added outside the built-in lists; subjects import the same modules.
    await loadRegistryModules();
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      printHelp();
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
