/**
 * conlab's entry point: finds the command, runs it, and turns errors into
 * one clear line and an exit code. Commands are loaded lazily so that
 * `conlab load` does not pay for the report renderer's imports.
 */
import { enableCompileCache } from '../core/compile-cache.ts';
import { ErrorCodes, LabError, isLabError } from '../core/errors.ts';
import { loadRegistryModules } from '../core/registry.ts';
import { loadCommand } from './command-table.ts';
import { commands } from './registry.ts';
import { exitCodesHelp } from './exit.ts';

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
    "Run 'conlab help <command>' (or 'conlab <command> --help') for a command's flags.",
    'Every command that writes results takes -o/--output FILE and --format (--json = --format json);',
    'every duration is 10 (seconds), 10s, 500ms or 1m. -V/--version prints the version;',
    "'conlab completion bash|zsh|fish' prints a shell completion script. Add --debug for stack traces.",
    '',
    exitCodesHelp,
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
    // `conlab help CMD` is `conlab CMD --help`: one text, one layout.
    if (name === 'help' && rest[0] !== undefined) {
      process.stdout.write(`${(await loadCommand(rest[0])).usage.trimEnd()}\n`);
      return 0;
    }
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      printHelp();
      return 0;
    }
    if (name === '--version' || name === '-V' || name === 'version') {
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
