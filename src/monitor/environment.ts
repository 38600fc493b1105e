/**
 * What the machine was when a run started: stored with every run so that two
 * runs can be compared knowingly (or not at all). Reads only what is cheap
 * and never throws: a field that cannot be read is null or a placeholder
 * that says so, not a guess.
 */
import { readFileSync } from 'node:fs';
import {
  arch,
  availableParallelism,
  cpus,
  hostname,
  loadavg,
  platform,
  release,
  totalmem,
  type,
} from 'node:os';
import { conlabCommit, conlabVersion } from '../core/version.ts';
import { stabilityChecks, type StabilityCheck } from './doctor.ts';
import { readKernelUnits } from './proc.ts';

export type { StabilityCheck } from './doctor.ts';

/** Environment captured once per run. */
export interface EnvironmentInfo {
  cpuModel: string;
  cores: number;
  governor: string | null;
  memoryBytes: number;
  kernel: string;
  os: string;
  runtimes: string[];
  conlabVersion: string;
  conlabCommit: string | null;
  loadAverage1m: number;
  hostname: string;
  capturedAt: string;
  /**
   * What could make this run's numbers unstable, as `conlab doctor` reports
   * it (governor, boost, load and the busiest processes, cgroup quota, SMT,
   * swap, isolation, ASLR, huge pages): src/monitor/doctor.ts. Optional:
   * older records lack it.
   */
  stability?: StabilityCheck[];
}

/** Watching the busiest processes at the start of a run: long enough to see a busy one, short enough not to matter. */
const ENVIRONMENT_SAMPLE_MS = 100;

const GOVERNOR_PATH = '/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor';

function readTrimmed(path: string): string | null {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return text === '' ? null : text;
  } catch {
    return null;
  }
}

/** os.cpus() is empty in some containers; /proc/cpuinfo still names the model there. */
function cpuModel(): string {
  const fromOs = cpus()[0]?.model.trim();
  if (fromOs) return fromOs;
  const cpuinfo = readTrimmed('/proc/cpuinfo');
  const match = cpuinfo ? /^(?:model name|Hardware|Processor)\s*:\s*(.+)$/m.exec(cpuinfo) : null;
  return match?.[1]?.trim() ?? 'unknown';
}

/** A human name of the OS: the distribution from /etc/os-release where there is one. */
function osName(): string {
  const osRelease = readTrimmed('/etc/os-release');
  const pretty = osRelease ? /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(osRelease)?.[1] : undefined;
  return `${pretty ?? type()} (${platform()} ${arch()})`;
}

function safe<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/**
 * Captures the environment of a run. `runtimeLabels` are the `name@version`
 * of the runtimes the run uses (resolveRuntime(...).label). `measuresHere`
 * false (results measured elsewhere, e.g. merged shards): the doctor's
 * checks are left out, since this machine's state now says nothing about
 * the numbers, and timing cpu-speed here would only cost time.
 */
export function captureEnvironment(
  runtimeLabels: string[],
  { measuresHere = true }: { measuresHere?: boolean } = {},
): EnvironmentInfo {
  return {
    cpuModel: safe(cpuModel, 'unknown'),
    // The cores this process may use (cgroup/affinity aware), which is what a parallel model gets.
    cores: safe(availableParallelism, 1),
    governor: readTrimmed(GOVERNOR_PATH),
    memoryBytes: safe(totalmem, 0),
    kernel: safe(release, 'unknown'),
    os: safe(osName, 'unknown'),
    runtimes: [...new Set(runtimeLabels)],
    conlabVersion: safe(conlabVersion, 'unknown'),
    conlabCommit: safe(conlabCommit, null),
    loadAverage1m: safe(() => Math.round((loadavg()[0] ?? 0) * 100) / 100, 0),
    hostname: safe(hostname, 'unknown'),
    capturedAt: new Date().toISOString(),
    ...(measuresHere ? { stability: stabilityOfThisMachine() } : {}),
  };
}

/** The doctor's checks at a run's start; none when they cannot be read. */
function stabilityOfThisMachine(): StabilityCheck[] {
  return safe(
    () =>
      stabilityChecks(safe(availableParallelism, 1), {
        sampleMs: ENVIRONMENT_SAMPLE_MS,
        selfPid: process.pid,
        clockTicksPerSec: readKernelUnits().clockTicksPerSec,
        cpuSpeed: true,
      }),
    [],
  );
}
