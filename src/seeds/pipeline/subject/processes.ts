/**
 * `processes`: one child process of this same runtime per pipeline (the
 * seed's multiprocess version). Each child opens its own file (a descriptor
 * cannot be shared), then all wait at a barrier: a `ready` message from
 * every child, then one `go` message to each. The clock runs from the first `go` to
 * the last `done`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { selfSpawnArgs } from '../../../core/runtime-info.ts';
import { encodeLine, readMessages } from '../../../core/subject/protocol.ts';
import { pipelineSpecs, type MethodContext, type MethodRun } from './context.ts';
import { isPipelineWorkerMessage, type PipelineWorkerMessage, type ToPipelineWorker } from './messages.ts';
import type { PipelineTally } from '../options.ts';

const entry = fileURLToPath(new URL('./process-entry.ts', import.meta.url));

export async function runProcesses(context: MethodContext): Promise<MethodRun> {
  const specs = pipelineSpecs(context);
  const children: ChildProcess[] = [];
  const pids: number[] = [];
  const tallies: PipelineTally[] = [];
  let t0 = 0;
  let remainingReady = specs.length;
  let remainingDone = specs.length;

  const finished = new Promise<number>((resolve, reject) => {
    const onMessage = (message: PipelineWorkerMessage): void => {
      if (message.t === 'error') return reject(new Error(`pipeline ${message.index}: ${message.reason}`));
      if (message.t === 'ready') {
        pids.push(message.pid);
        if (--remainingReady === 0) {
          t0 = performance.now();
          context.onClockStart();
          const go: ToPipelineWorker = { t: 'go' };
          for (const child of children) child.stdin?.write(encodeLine(go));
        }
        return;
      }
      tallies.push(message.tally);
      if (--remainingDone === 0) resolve(performance.now());
    };
    for (const spec of specs) {
      const { command, args } = selfSpawnArgs(entry);
      const child = spawn(command, [...args, JSON.stringify(spec)], { stdio: ['pipe', 'pipe', 'pipe'] });
      children.push(child);
      let stderr = '';
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-2000);
      });
      child.on('error', (error) => reject(new Error(`pipeline ${spec.index} process: ${error.message}`)));
      // A runtime's own notice on stdout is not ours to parse: readMessages skips it.
      readMessages(child.stdout, isPipelineWorkerMessage, onMessage);
      // 'close' (not 'exit') so that every stdout line has been read first.
      child.on('close', (code, signal) => {
        if (!tallies.some((tally) => tally.index === spec.index)) {
          const why = signal ? `signal ${signal}` : `code ${code}`;
          reject(
            new Error(`pipeline ${spec.index} process exited (${why}) before reporting: ${stderr.trim()}`),
          );
        }
      });
    }
  });

  let graceMs = 0;
  try {
    const endedAt = await finished;
    graceMs = 2000;
    return {
      elapsedS: (endedAt - t0) / 1000,
      pipelines: tallies.sort((a, b) => a.index - b.index),
      pids: pids.sort((a, b) => a - b),
      threadIds: [],
    };
  } finally {
    await Promise.all(children.map((child) => stopChild(child, graceMs)));
  }
}

/**
 * Waits until a child is gone: after success it exits by itself once it has
 * reported; after a failure elsewhere (grace 0) it is killed at once.
 */
function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin?.destroy();
  });
}
