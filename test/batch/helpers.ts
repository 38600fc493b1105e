/** Shared by the batch tests: run a child with a deadline, kill its group on failure, check PIDs are gone. */
import { spawn } from 'node:child_process';
import { resolveRuntime, type RuntimeSpec } from '../../src/runtimes/registry.ts';
import { conlabBin } from '../fixtures/cli.ts';

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in its own process group; on timeout kills the whole group and rejects. */
export function runGroup(command: string, args: string[], timeoutMs: number): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      reject(
        new Error(
          `${command} ${args.join(' ')} timed out after ${timeoutMs} ms; stderr: ${stderr.slice(-500)}`,
        ),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      killGroup(); // sweep anything the child left in its group
      resolve({ code, stdout, stderr });
    });
  });
}

export { isAlive } from '../fixtures/orphans.ts';

/** The runtime, or the reason it cannot be used (for a named skip). */
export function runtimeOrSkip(name: string): RuntimeSpec | string {
  try {
    return resolveRuntime(name);
  } catch (error) {
    return `${name} is not available: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Runs `conlab batch ...args` in its own process group (killed whole at the end). */
export function runBatchCli(args: string[], timeoutMs = 60_000): Promise<Finished> {
  return runGroup(process.execPath, [conlabBin, 'batch', ...args], timeoutMs);
}
