/**
 * A capacity search's steps as cells: each step is an ordinary server cell
 * (a fresh server, verified, warmed up, loaded while the monitor samples)
 * run by the one server-cell runner, with the search's judgement put on its
 * record (`capacity`). The next step is built from that record, so the run's
 * step loop can add it to the plan (src/results/steps.ts `extend`): used by
 * `conlab capacity` and by suites' `capacity:` experiments alike.
 */
import { performance } from 'node:perf_hooks';
import type { CapacityStepInfo, ServerCell } from '../../results/record.ts';
import { resolveRuntime, type RuntimeSpec } from '../../runtimes/registry.ts';
import { emptyServerCell } from '../driver/record.ts';
import {
  runServerCell,
  serverCellKey,
  type ServerCellOptions,
  type ServerCellSpec,
} from '../driver/run-cell.ts';
import { resolveCellServerConfig } from '../resolve.ts';
import { advance, type CapacitySearchState, type CapacitySettings } from './search.ts';

/** What makes two searches the same: the server, its load shape, the runtime (by the name the run uses) and the target. */
export function searchKey(spec: ServerCellSpec, runtime: string, settings: CapacitySettings): string {
  const { rateRps: _rate, ...closed } = spec;
  const server = serverCellKey(closed, resolveCellServerConfig(spec), runtime);
  return `capacity|${server.slice('server|'.length)}|${targetTag(settings)}`;
}

/** `p99<50ms e<=0.1%`: the target and error limit, in every step's key so that two targets never share a step. */
function targetTag(settings: CapacitySettings): string {
  return `${settings.percentile}<${settings.targetUs / 1000}ms e<=${settings.maxErrorRate * 100}%`;
}

/** The spec of the step a state plans: the search's server and load shape, at the planned rate. */
export function stepSpec(base: ServerCellSpec, state: CapacitySearchState): ServerCellSpec {
  const { rateRps: _rate, ...closed } = base;
  return state.next.rateRps === null ? closed : { ...closed, rateRps: state.next.rateRps };
}

/** A step's cell key: the server cell's key (the rate is in it) plus the target. */
export function stepKey(base: ServerCellSpec, runtime: string, state: CapacitySearchState): string {
  const spec = stepSpec(base, state);
  return `${serverCellKey(spec, resolveCellServerConfig(spec), runtime)}|${targetTag(state.settings)}`;
}

export function stepLabel(base: ServerCellSpec, runtime: string, state: CapacitySearchState): string {
  const load =
    state.next.rateRps === null ? `closed loop c=${base.connections}` : `${state.next.rateRps} req/s`;
  return `${runtime} ${base.endpoint} ${base.arch} capacity step ${state.steps + 1} ${state.next.phase} ${load}`;
}

/** The state after a step, from the step's state and what its record says (null when the search ended). */
export function stateAfter(state: CapacitySearchState, info: CapacityStepInfo): CapacitySearchState | null {
  if (info.next === null) return null;
  return {
    search: state.search,
    settings: state.settings,
    steps: info.steps,
    spentS: info.spentS,
    idleUs: info.idleUs,
    probeRps: info.probeRps,
    ceilingRps: info.ceilingRps,
    lastPassRps: info.lastPassRps,
    firstFailRps: info.firstFailRps,
    next: info.next,
  };
}

/** Runs the step a state plans and returns its record with the search's judgement on it. */
export async function runCapacityStep(
  base: ServerCellSpec,
  runtime: RuntimeSpec | string,
  state: CapacitySearchState,
  options: ServerCellOptions = {},
): Promise<ServerCell> {
  const startedMs = performance.now();
  const record = await runServerCell(stepSpec(base, state), runtime, options);
  const { info } = advance(state, record, (performance.now() - startedMs) / 1000);
  return { ...record, capacity: info };
}

/** The record of a step whose runner threw: failed, and the search ends there saying why. */
export function failedStepRecord(
  base: ServerCellSpec,
  runtime: string,
  state: CapacitySearchState,
  reason: string,
): ServerCell {
  const spec = stepSpec(base, state);
  let workers = spec.workers ?? 1;
  let threads = spec.threads ?? 0;
  try {
    ({ workers, threads } = resolveCellServerConfig(spec));
  } catch {
    // The spec is what failed: keep what was asked.
  }
  const empty = emptyServerCell(
    {
      architecture: spec.arch,
      workers,
      threads,
      endpoint: spec.endpoint,
      connections: spec.connections,
      rateRps: spec.rateRps ?? null,
      durationS: spec.durationS,
    },
    stepKey(base, runtime, state),
    safeRuntimeLabel(runtime),
  );
  const record: ServerCell = { ...empty, status: 'failed', reason };
  return { ...record, capacity: advance(state, record, 0).info };
}

function safeRuntimeLabel(name: string): string {
  try {
    return resolveRuntime(name).label;
  } catch {
    return name;
  }
}
