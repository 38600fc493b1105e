/**
 * The driver's check of a workload module, before anything starts: one short
 * process (check-subject.ts, under the runtime running conlab) imports the
 * module and reports its exports; a missing or unloadable module, a missing
 * export, an export that is not a function or bad params become a LabError
 * (LAB_E_WORKLOAD_MODULE, exit 2) naming the path and what was found.
 * Synchronous (spawnSync), so planning a run stays a plain function. The
 * process is ours alone and ends with the check: spawnSync waits for it and
 * kills it at the deadline.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { selfSpawnArgs } from '../../core/runtime-info.ts';
import { CHECK_MARKER, type CheckReport } from './check-report.ts';
import type { TaskFacts } from './inspect.ts';
import { moduleError, type ModuleRef } from './ref.ts';

/** Loading a module is start-up work, not the task: anything slower is a module that hangs. */
export const CHECK_TIMEOUT_MS = 30_000;

const checkScript = fileURLToPath(new URL('./check-subject.ts', import.meta.url));

/** Why a module did not load, and what to do about it, by the runtime's error code. */
function loadHint(code: string | undefined, runtime: string): string {
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
    return `${runtime} cannot import TypeScript (type stripping needs Node >= 22.18); run conlab under Node 24, or write the module as .js/.mjs`;
  }
  if (code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX' || code === 'ERR_INVALID_TYPESCRIPT_SYNTAX') {
    return 'only erasable TypeScript is stripped (no enums, namespaces or parameter properties); rewrite that part or ship .js';
  }
  if (code === 'ERR_MODULE_NOT_FOUND') {
    return 'a module it imports is missing: install it in your project (the module is imported from its own folder)';
  }
  return 'the module is imported once in every worker, child process and subject: its top-level code must load on its own';
}

function lastLines(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '');
  return lines.slice(-3).join(' | ').slice(-400);
}

/** Imports the module in a check process and returns what its task is; LabError for anything the contract refuses. */
export function checkModule(ref: ModuleRef & { hash: string }): TaskFacts {
  const { command, args } = selfSpawnArgs(checkScript);
  const result = spawnSync(command, [...args, ref.path, ref.exportName], {
    encoding: 'utf8',
    timeout: CHECK_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 16 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const where = `workload module ${ref.path}`;
  const line = (result.stdout ?? '')
    .split('\n')
    .reverse()
    .find((text) => text.startsWith(CHECK_MARKER));
  if (line === undefined) {
    const how =
      result.error && (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT'
        ? `did not finish loading within ${CHECK_TIMEOUT_MS / 1000} s`
        : result.signal
          ? `was killed by ${result.signal} while loading`
          : `ended the process while loading (exit code ${String(result.status)})`;
    const output = lastLines(`${result.stderr ?? ''}\n${result.stdout ?? ''}`);
    throw moduleError(
      `${where} ${how}${output ? `; last output: ${output}` : ''}`,
      'its top-level code must load and return: no process.exit(), no endless work at import time',
    );
  }
  const report = JSON.parse(line.slice(CHECK_MARKER.length)) as CheckReport;
  if (report.t === 'load-error') {
    throw moduleError(
      `${where} failed while loading under ${report.runtime}: ${report.message}`,
      loadHint(report.code, report.runtime),
    );
  }
  const { inspection } = report;
  if (!inspection.ok) throw moduleError(`${where} ${inspection.problem}`, inspection.hint);
  return inspection.task;
}
