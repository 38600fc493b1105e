/**
 * The three ways a primary starts a unit, each behind the same UnitHandle:
 * a child process of the same runtime (stdio JSON lines), a node:cluster
 * worker (IPC), a worker thread (parentPort).
 */
import { spawn } from 'node:child_process';
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { selfSpawnArgs } from '../../../core/runtime-info.ts';
import { UNIT_ENV, type UnitConfig } from '../../config.ts';
import { encodeLine, readMessages } from '../../../core/subject/protocol.ts';
import { isUnitMessage } from './messages.ts';
import type { UnitHandle } from './unit-group.ts';

const unitProcessPath = fileURLToPath(new URL('./unit-process.ts', import.meta.url));
const unitThreadUrl = new URL('./unit-thread.ts', import.meta.url);

function describeExit(code: number | null, signal: string | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

export function launchProcess(unit: UnitConfig): UnitHandle {
  const { command, args } = selfSpawnArgs(unitProcessPath);
  const child = spawn(command, args, {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, [UNIT_ENV]: JSON.stringify(unit) },
  });
  child.stdin?.on('error', () => undefined);
  child.on('error', () => undefined);
  const label = `unit ${unit.unitIndex} (pid ${child.pid ?? '?'})`;
  return {
    pid: child.pid ?? 0,
    label,
    send: (message) => {
      if (child.stdin?.writable) child.stdin.write(encodeLine(message));
    },
    kill: () => child.kill('SIGKILL'),
    onMessage: (handler) => readMessages(child.stdout, isUnitMessage, handler),
    onExit: (handler) => {
      if (child.exitCode !== null || child.signalCode !== null)
        handler(describeExit(child.exitCode, child.signalCode));
      else child.once('exit', (code, signal) => handler(describeExit(code, signal)));
    },
  };
}

export function launchClusterWorker(unit: UnitConfig): UnitHandle {
  cluster.setupPrimary({ exec: unitProcessPath, args: [] });
  const worker = cluster.fork({ [UNIT_ENV]: JSON.stringify(unit) });
  const pid = worker.process.pid ?? 0;
  let exited: string | null = null;
  worker.once('exit', (code, signal) => {
    exited = describeExit(code, signal);
  });
  worker.on('error', () => undefined);
  return {
    pid,
    label: `cluster worker ${unit.unitIndex} (pid ${pid})`,
    send: (message) => {
      if (worker.isConnected()) worker.send(message);
    },
    kill: () => worker.process.kill('SIGKILL'),
    onMessage: (handler) =>
      worker.on('message', (message) => {
        if (isUnitMessage(message)) handler(message);
      }),
    onExit: (handler) => {
      if (exited !== null) handler(exited);
      else worker.once('exit', (code, signal) => handler(describeExit(code, signal)));
    },
  };
}

export function launchThread(unit: UnitConfig): UnitHandle {
  const worker = new Worker(unitThreadUrl, { workerData: unit });
  let exited: string | null = null;
  worker.once('exit', (code) => {
    exited = `thread exit code ${code}`;
  });
  let lastError = '';
  worker.on('error', (error: unknown) => {
    lastError = error instanceof Error ? error.message : String(error);
  });
  return {
    pid: process.pid,
    label: `unit thread ${unit.unitIndex} (thread ${worker.threadId})`,
    send: (message) => worker.postMessage(message),
    kill: () => void worker.terminate(),
    onMessage: (handler) =>
      worker.on('message', (message) => {
        if (isUnitMessage(message)) handler(message);
      }),
    onExit: (handler) => {
      if (exited !== null) handler(exited);
      else
        worker.once('exit', (code) =>
          handler(`thread exit code ${code}${lastError ? `: ${lastError}` : ''}`),
        );
    },
  };
}
