/**
 * The run's environment for `--json` and the seed 003 footer. The runtimes
 * engineer owns captureEnvironment() in src/monitor/environment.ts; until it
 * exists this falls back to a minimal environment built from node:os.
 * TODO(batch): drop the fallback once src/monitor/environment.ts has landed.
 */
import { arch, availableParallelism, cpus, hostname, loadavg, platform, release, totalmem } from 'node:os';
import type { EnvironmentInfo } from '../results/record.ts';
import { conlabCommit, conlabVersion } from '../core/version.ts';

interface EnvironmentModule {
  captureEnvironment(runtimes?: string[]): EnvironmentInfo | Promise<EnvironmentInfo>;
}

function minimalEnvironment(runtimes: string[]): EnvironmentInfo {
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    governor: null,
    memoryBytes: totalmem(),
    kernel: release(),
    os: `${platform()}-${arch()}`,
    runtimes,
    conlabVersion: conlabVersion(),
    conlabCommit: conlabCommit(),
    loadAverage1m: loadavg()[0] ?? 0,
    hostname: hostname(),
    capturedAt: new Date().toISOString(),
  };
}

export async function batchEnvironment(runtimes: string[]): Promise<EnvironmentInfo> {
  // A computed specifier: the module may not exist yet, and that must not break the type check.
  const specifier = '../monitor/environment.ts';
  try {
    const module = (await import(specifier)) as Partial<EnvironmentModule>;
    if (typeof module.captureEnvironment === 'function') {
      const env = await module.captureEnvironment(runtimes);
      return { ...env, runtimes: env.runtimes.length > 0 ? env.runtimes : runtimes };
    }
  } catch {
    // Not there yet (or failed): the minimal environment below is still true, only shorter.
  }
  return minimalEnvironment(runtimes);
}
