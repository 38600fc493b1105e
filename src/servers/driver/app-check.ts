/**
 * Driver side: is `--app ./app.ts` (or a suite's `app:`) something conlab
 * can host? Checked before any server starts, under each runtime that will
 * serve it, by importing it in a short-lived probe process (the app's
 * top-level code runs there, never in the driver, and a module that only
 * loads on Bun is judged by Bun). Bad input is a LabError, exit 2, naming
 * the path and what was found instead.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, LabError } from '../../core/errors.ts';
import type { RuntimeSpec } from '../../runtimes/registry.ts';
import { PROBE_MARK, type AppRef, type ProbeAnswer } from '../subject/app/app-module.ts';

const probePath = fileURLToPath(new URL('../subject/app/probe.ts', import.meta.url));
/** A module that takes longer than this to import is reported as not loading. */
const PROBE_TIMEOUT_MS = 30_000;

const HOW_TO_EXPORT =
  "export default { fetch(request) { return new Response('hi') } } (Hono: export default app), or export function listener(req, res) { res.end('hi') }";

/** The module's absolute path, relative paths taken from `baseDir` (the working directory, or a suite file's folder). */
export function resolveAppPath(given: string, what: string, baseDir = process.cwd()): string {
  const path = isAbsolute(given) ? given : resolve(baseDir, given);
  let found: string;
  try {
    const stat = statSync(path);
    if (stat.isFile()) return path;
    found = stat.isDirectory() ? 'a directory' : 'something that is not a file';
  } catch {
    found = 'nothing';
  }
  throw new LabError(
    ErrorCodes.APP_NOT_FOUND,
    `${what} '${given}': found ${found} at ${path} → a JavaScript or TypeScript module file`,
    {
      hint: `give the path of your app module, e.g. ${what} ./app.ts (relative to ${baseDir})`,
    },
  );
}

function probeAnswer(stdout: string): ProbeAnswer | null {
  const line = stdout
    .split('\n')
    .reverse()
    .find((text) => text.startsWith(PROBE_MARK));
  return line === undefined ? null : (JSON.parse(line.slice(PROBE_MARK.length)) as ProbeAnswer);
}

/** Imports the app under `runtime` in a probe process; its handler kind, or a LabError saying what is wrong. */
export function checkApp(path: string, runtime: RuntimeSpec, what = '--app'): AppRef {
  const result = spawnSync(runtime.binPath, runtime.scriptArgs(probePath, [path]), {
    encoding: 'utf8',
    timeout: PROBE_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
    killSignal: 'SIGKILL',
  });
  const answer = probeAnswer(result.stdout ?? '');
  if (answer?.ok) return { path, kind: answer.kind, from: answer.from };
  if (answer?.stage === 'shape') {
    throw new LabError(
      ErrorCodes.APP_NO_HANDLER,
      `${what} ${path} exports neither a fetch handler nor a Node listener → found: ${answer.exports.length > 0 ? answer.exports.join(', ') : 'no exports'} → ${HOW_TO_EXPORT}`,
      { hint: 'a default-exported function counts as a Node listener only when it declares (req, res)' },
    );
  }
  const stderrTail = (result.stderr ?? '').trim().split('\n').slice(-5).join(' | ');
  const reason =
    answer?.stage === 'load'
      ? answer.reason
      : result.error
        ? `${result.error.message}${result.signal === 'SIGKILL' ? ` (did not finish importing within ${PROBE_TIMEOUT_MS / 1000} s)` : ''}`
        : `the import ended the process (exit code ${result.status ?? result.signal})${stderrTail ? `: ${stderrTail}` : ''}`;
  throw new LabError(
    ErrorCodes.APP_LOAD,
    `${what} ${path} threw while loading on ${runtime.label}: ${reason.slice(0, 500)} → a module that imports cleanly`,
    { hint: `see it alone with: ${runtime.binPath} ${runtime.scriptArgs(path).join(' ')}` },
  );
}
