/**
 * What each runtime can do, found by running probe-subject.ts under it once
 * (the real thing, not a version table) and cached per binary and version:
 * in memory, and in conlab's cache folder (src/core/cache-dir.ts) so later commands skip the
 * few seconds a probe takes. The probe is a subject like any other (the
 * subject launcher: its own process group, swept when it ends, killed with
 * the driver), answering with one `done {capabilities}` message.
 * `requireCapability` turns an answer into the skip reason cells carry:
 * "unsupported on bun@1.4.5 (reusePort-http: ...)".
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TIMED_OUT, capabilityNames, type Capability, type CapabilityResult } from './capability-names.ts';
import { isFromProbe, type FromProbe } from './probe-protocol.ts';
import type { RuntimeSpec } from './registry.ts';
import { conlabCacheDir } from '../core/cache-dir.ts';
import { ErrorCodes, unknownName } from '../core/errors.ts';
import { launchSubject } from '../core/subject/launcher.ts';
import type { Message } from '../core/subject/protocol.ts';

export { capabilityNames, type Capability, type CapabilityResult } from './capability-names.ts';

export interface RuntimeCapabilities {
  runtime: string;
  binPath: string;
  probedAt: string;
  capabilities: Record<Capability, CapabilityResult>;
}

/** Bump when probe-subject.ts changes what it checks, so stale cached answers are not reused. */
const PROBE_VERSION = 3;
const PROBE_TIMEOUT_MS = 180_000;
const probeScript = fileURLToPath(new URL('./probe-subject.ts', import.meta.url));
const cacheDir = conlabCacheDir();
const cacheFile = join(cacheDir, 'capabilities.json');

const memory = new Map<string, RuntimeCapabilities>();

function cacheKey(runtime: RuntimeSpec): string {
  return `${runtime.binPath}|${runtime.label}|probe${PROBE_VERSION}`;
}

function readFileCache(): Record<string, RuntimeCapabilities> {
  try {
    return JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, RuntimeCapabilities>;
  } catch {
    return {};
  }
}

function writeFileCache(key: string, value: RuntimeCapabilities): void {
  try {
    mkdirSync(cacheDir, { recursive: true });
    const all = readFileCache();
    all[key] = value;
    // Write then rename: two conlab processes probing at once never leave half a file.
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(all, null, 2)}\n`);
    renameSync(temporary, cacheFile);
  } catch {
    // The file cache only saves time; without it the next command probes again.
  }
}

function allUnsupported(reason: string): Record<Capability, CapabilityResult> {
  return Object.fromEntries(capabilityNames.map((name) => [name, { supported: false, reason }])) as Record<
    Capability,
    CapabilityResult
  >;
}

/**
 * The probe's answer (null when it gave none: it crashed, could not start, or
 * timed out) as a full table; any capability it did not report is
 * unsupported with the reason.
 */
export function capabilitiesFromProbe(
  reported: Partial<Record<Capability, CapabilityResult>> | null,
  stderr: string,
  status: number | null,
): Record<Capability, CapabilityResult> {
  const parsed = reported;
  if (!parsed || typeof parsed !== 'object') {
    const why = stderr
      .split('\n')
      .map((l) => l.trim())
      .find((l) => /error|cannot|unknown/i.test(l));
    const typescript = /ERR_UNKNOWN_FILE_EXTENSION|Unknown file extension/.test(stderr);
    return allUnsupported(
      typescript
        ? 'cannot run TypeScript subjects (Node needs >= 22.18)'
        : `the capability probe failed (exit ${status ?? 'killed'}${why ? `: ${why.slice(0, 160)}` : ''})`,
    );
  }
  const result = {} as Record<Capability, CapabilityResult>;
  for (const name of capabilityNames) {
    const entry = parsed[name];
    result[name] =
      entry && typeof entry.supported === 'boolean'
        ? { supported: entry.supported, ...(entry.reason ? { reason: entry.reason } : {}) }
        : { supported: false, reason: 'the probe did not report it' };
  }
  return result;
}

/** Runs the probe under the runtime and reads its answer (or, without one, its stderr and exit code). */
async function runProbe(runtime: RuntimeSpec): Promise<Record<Capability, CapabilityResult>> {
  const probe = launchSubject<FromProbe, Message<never>>({
    command: runtime.binPath,
    args: runtime.scriptArgs(probeScript),
    // The probe's own listeners and cluster workers must not inherit a UV_THREADPOOL_SIZE or NODE_OPTIONS meant for cells.
    env: { ...process.env, NODE_OPTIONS: '' },
    label: `the capability probe of ${runtime.label}`,
    accepts: isFromProbe,
  });
  const answer = await probe.next(PROBE_TIMEOUT_MS, 'the capability probe').catch(() => null);
  // Its helpers (listeners, cluster workers, children) are in its group: the sweep ends them all.
  const stopped = await probe.stop({ graceMs: 5000, settleMs: 0 });
  return capabilitiesFromProbe(
    answer?.t === 'done' ? answer.capabilities : null,
    probe.stderrTail(),
    stopped.exitCode,
  );
}

/**
 * The capabilities of a runtime: probed once per binary and version (a few
 * seconds), then from the cache. `refresh` probes again.
 */
export async function probeCapabilities(
  runtime: RuntimeSpec,
  options: { refresh?: boolean; onProbe?: (label: string) => void } = {},
): Promise<RuntimeCapabilities> {
  const key = cacheKey(runtime);
  if (!options.refresh) {
    const cached = memory.get(key) ?? readFileCache()[key];
    if (cached) {
      memory.set(key, cached);
      return cached;
    }
  }
  options.onProbe?.(runtime.label);
  const capabilities = await runProbe(runtime);
  const value: RuntimeCapabilities = {
    runtime: runtime.label,
    binPath: runtime.binPath,
    probedAt: new Date().toISOString(),
    capabilities,
  };
  memory.set(key, value);
  // A probe that failed as a whole (timeout, crash), or a check that timed out, is not cached:
  // the next command tries again rather than skipping cells for good because the machine was busy.
  const timedOut = Object.values(capabilities).some((c) => c.reason?.startsWith(TIMED_OUT));
  const ran = capabilities.typescript.supported || /TypeScript/.test(capabilities.typescript.reason ?? '');
  if (ran && !timedOut) writeFileCache(key, value);
  return value;
}

/** Validates a capability name typed by a user or a suite file. */
export function parseCapability(name: string): Capability {
  if ((capabilityNames as readonly string[]).includes(name)) return name as Capability;
  throw unknownName(ErrorCodes.BAD_PARAM, 'capability', name, capabilityNames);
}

/** The skip reason for one capability a runtime lacks, in the form every cell stores. */
export function unsupportedReason(
  runtime: RuntimeSpec,
  capability: Capability,
  result: CapabilityResult,
): string {
  return `unsupported on ${runtime.label} (${capability}${result.reason ? `: ${result.reason}` : ''})`;
}

/**
 * null when the runtime can do it; otherwise "unsupported on RUNTIME@VERSION
 * (capability: reason)" for the cell's skip reason. Every cell also needs
 * `typescript`, so a runtime that cannot run subjects at all says so first.
 */
export async function requireCapability(
  runtime: RuntimeSpec,
  capability: Capability,
): Promise<string | null> {
  const { capabilities } = await probeCapabilities(runtime);
  for (const name of capability === 'typescript'
    ? ['typescript' as const]
    : (['typescript', capability] as const)) {
    const result = capabilities[name];
    if (!result.supported) return unsupportedReason(runtime, name, result);
  }
  return null;
}

/** The first capability of several that is missing, as a skip reason; null when all are there. */
export async function requireCapabilities(
  runtime: RuntimeSpec,
  needed: readonly Capability[],
): Promise<string | null> {
  for (const capability of needed) {
    const reason = await requireCapability(runtime, capability);
    if (reason) return reason;
  }
  return null;
}
