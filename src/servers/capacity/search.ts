/**
 * The capacity search as a pure state machine: the highest open-loop rate
 * whose corrected latency percentile stays under a target and whose error
 * rate stays under a limit. One step at a time: `advance(state, record)`
 * judges a measured server cell and says what the search knows and does
 * next. No I/O here; src/servers/capacity/run.ts runs the steps.
 *
 * The path: idle (a low rate: a target missed even there is unreachable) →
 * probe (closed loop: the most the server serves; the search offers at most
 * twice that, or --max-rate, and the probe is skipped) → ramp (from half the
 * probe's throughput, × growth each step, until a step fails) → bisect
 * (geometric midpoints of the last passing and first failing rate, until
 * they are within the resolution). Bounded by a step count and a time
 * budget. Everything the next step needs travels with it (the state below
 * is stored in the run's plan), so a resumed suite run continues a search.
 *
 * A pass is always the server's: latency is measured from each request's
 * scheduled send time, so a generator that fell behind only adds to it. A
 * failure is the generator's when it fell behind its schedule (p99 send
 * lag over 10 ms) and the percentile minus that lag would have passed: the
 * search then stops raising and says so (generator-limited).
 */
import { DRIFT_P99_US } from '../../load/verdicts.ts';
import type {
  CapacityPhase,
  CapacityProgress,
  CapacityResult,
  CapacityStepInfo,
  ServerCell,
} from '../../results/record.ts';
import type { LatencyMetric } from '../../stats/thresholds.ts';

export interface CapacitySettings {
  percentile: LatencyMetric;
  /** The chosen percentile must stay below this, µs. */
  targetUs: number;
  /** A step may have at most this share of errors (0.001 = 0.1%). */
  maxErrorRate: number;
  /** The search stops after this many steps (idle and probe included). */
  maxSteps: number;
  /** ... or once its own steps took this long, s; null = no budget. */
  timeBudgetS: number | null;
  /** Bisecting stops when the first failing rate ÷ the last passing one ≤ 1 + this. */
  resolution: number;
  /** Each ramp step offers this many times the last. */
  growth: number;
  /** The idle step's rate, req/s. */
  idleRps: number;
  /** The highest rate offered; null: twice the closed-loop probe's throughput. */
  maxRateRps: number | null;
}

export const CAPACITY_SEARCH_DEFAULTS = {
  percentile: 'p99',
  maxErrorRate: 0.001,
  maxSteps: 12,
  timeBudgetS: null,
  resolution: 0.05,
  growth: Math.SQRT2,
  idleRps: 10,
  maxRateRps: null,
} as const satisfies Omit<CapacitySettings, 'targetUs' | 'percentile'> & { percentile: LatencyMetric };

/**
 * A step fails when more than this share of its measured requests were
 * unanswered when the window closed and must have been older than the
 * target: their latency is in no percentile (or only as a lower bound), so
 * the percentile would flatter a server that fell behind. At most rate ×
 * target of them can be younger than the target (requests merely in
 * flight); only those beyond that count.
 */
export const MAX_UNANSWERED_SHARE = 0.01;

/** Where a search is between two steps: what it knows and the step to run next. */
export interface CapacitySearchState extends CapacityProgress {
  search: string;
  settings: CapacitySettings;
  next: NonNullable<CapacityProgress['next']>;
}

/** Rates as people read them, 3 significant digits (finer than any sensible resolution). */
export function roundRate(rps: number): number {
  return Number(rps.toPrecision(3));
}

export function startSearch(search: string, settings: CapacitySettings): CapacitySearchState {
  const idle =
    settings.maxRateRps === null ? settings.idleRps : Math.min(settings.idleRps, settings.maxRateRps);
  return {
    search,
    settings,
    steps: 0,
    spentS: 0,
    idleUs: null,
    probeRps: null,
    ceilingRps: settings.maxRateRps,
    lastPassRps: null,
    firstFailRps: null,
    next: { phase: 'idle', rateRps: roundRate(idle) },
  };
}

const ms = (us: number): string => `${Number((us / 1000).toPrecision(3))} ms`;
const pct = (fraction: number): string => `${Number((fraction * 100).toPrecision(3))}%`;

export interface StepJudgement {
  valueUs: number;
  errorRate: number;
  passed: boolean;
  why: string[];
  /** The failure may be the load generator's, not the server's (see the header). */
  generatorLimited: boolean;
}

/**
 * A cell that failed only because no reply came back within its window
 * (requests unanswered, no errors: the server is alive but far behind).
 * For the search that is a measurement, a failing step, not a dead server.
 */
export function overloaded(record: ServerCell): boolean {
  const errors = Object.values(record.errors).reduce<number>((sum, n) => sum + (n ?? 0), 0);
  return (
    record.status === 'failed' &&
    record.requests === 0 &&
    errors === 0 &&
    (record.unfinishedRequests ?? 0) > 0
  );
}

/** One measured step against the target and the error limit. */
export function judgeStep(record: ServerCell, settings: CapacitySettings): StepJudgement {
  if (overloaded(record)) {
    // The requests sent as the window opened waited at least the window: a lower bound of the percentile.
    return {
      valueUs: record.durationS * 1e6,
      errorRate: 0,
      passed: false,
      why: [
        `not one reply within the ${record.durationS} s window (${record.unfinishedRequests ?? 0} unanswered)`,
      ],
      generatorLimited: false,
    };
  }
  const valueUs = record.latencyUs[settings.percentile];
  const errors = Object.values(record.errors).reduce<number>((sum, n) => sum + (n ?? 0), 0);
  const attempts = record.requests + errors;
  const errorRate = attempts === 0 ? 0 : errors / attempts;
  const unanswered = record.unfinishedRequests ?? 0;
  const why: string[] = [];
  if (valueUs >= settings.targetUs) {
    why.push(`${settings.percentile} ${ms(valueUs)} ≥ the target ${ms(settings.targetUs)}`);
  }
  if (errorRate > settings.maxErrorRate) {
    why.push(`errors ${pct(errorRate)} > ${pct(settings.maxErrorRate)}`);
  }
  const inFlightAtMost = (record.rateRps ?? record.rps) * (settings.targetUs / 1e6);
  if (unanswered - inFlightAtMost > MAX_UNANSWERED_SHARE * (attempts + unanswered)) {
    why.push(`${unanswered} requests still unanswered when the window closed, most older than the target`);
  }
  const passed = why.length === 0;
  const lagUs = record.sendLagUs;
  const drifted =
    record.verdicts.includes('schedule-drift') || (lagUs !== undefined && lagUs.p99 > DRIFT_P99_US);
  // Only a latency failure can be the generator's, and only when its own lateness explains it.
  const latencyOnly = why.length === 1 && valueUs >= settings.targetUs;
  const lagAtPercentileUs = lagUs?.[settings.percentile] ?? lagUs?.max ?? Infinity;
  const generatorLimited =
    !passed && drifted && latencyOnly && valueUs - lagAtPercentileUs < settings.targetUs;
  if (generatorLimited) {
    why.push(
      `the generator fell behind its schedule (send lag p99 ${lagUs ? ms(lagUs.p99) : 'over 10 ms'}); without it the step would have passed`,
    );
  }
  return { valueUs, errorRate, passed, why, generatorLimited };
}

export interface Advanced {
  /** What to put on the step's record. */
  info: CapacityStepInfo;
  /** The search after this step; null when it ended (info.result says how). */
  state: CapacitySearchState | null;
}

function ended(
  progress: Omit<CapacityProgress, 'next'>,
  status: CapacityResult['status'],
  reason: string,
): { progress: CapacityProgress; result: CapacityResult } {
  return {
    progress: { ...progress, next: null },
    result: { status, capacityRps: progress.lastPassRps, reason },
  };
}

function intervalText(progress: Omit<CapacityProgress, 'next'>): string {
  const low = progress.lastPassRps === null ? 'none passed' : `passed ${progress.lastPassRps} req/s`;
  const high = progress.firstFailRps === null ? '' : `, failed ${progress.firstFailRps} req/s`;
  return `${low}${high}`;
}

/** The step after a pass or a fail in the ramp and bisect phases, or the end of the search. */
function nextRate(
  progress: Omit<CapacityProgress, 'next'>,
  settings: CapacitySettings,
  label: string,
): { progress: CapacityProgress; result?: CapacityResult } {
  const { lastPassRps: low, firstFailRps: high, ceilingRps } = progress;
  if (high === null) {
    const from = low ?? settings.idleRps;
    if (ceilingRps !== null && from >= ceilingRps) {
      return ended(
        progress,
        'at-ceiling',
        `${label} stays under the target at ${from} req/s, the highest rate offered (${settings.maxRateRps === null ? "twice the closed-loop probe's throughput" : '--max-rate'}): the capacity is at least that; raise --max-rate to look further`,
      );
    }
    const up = roundRate(Math.min(from * settings.growth, ceilingRps ?? Infinity));
    return { progress: { ...progress, next: { phase: 'ramp', rateRps: up } } };
  }
  const bottom = low ?? 0;
  const mid = roundRate(Math.sqrt(Math.max(bottom, settings.idleRps / settings.growth) * high));
  if (low !== null && (high / low <= 1 + settings.resolution || mid <= low || mid >= high)) {
    return ended(
      progress,
      'found',
      `${label} stays under the target at ${low} req/s and not at ${high} req/s (within ${pct(settings.resolution)})`,
    );
  }
  return { progress: { ...progress, next: { phase: 'bisect', rateRps: mid } } };
}

/**
 * Judges the step the state planned (`record` is its measured cell; `stepS`
 * its wall time) and decides what comes next.
 */
export function advance(state: CapacitySearchState, record: ServerCell, stepS: number): Advanced {
  const { settings } = state;
  const phase: CapacityPhase = state.next.phase;
  const offeredRps = state.next.rateRps;
  const label = `${settings.percentile} < ${ms(settings.targetUs)} with errors ≤ ${pct(settings.maxErrorRate)}`;
  const base: Omit<CapacityProgress, 'next'> = {
    steps: state.steps + 1,
    spentS: state.spentS + stepS,
    idleUs: state.idleUs,
    probeRps: state.probeRps,
    ceilingRps: state.ceilingRps,
    lastPassRps: state.lastPassRps,
    firstFailRps: state.firstFailRps,
  };
  const where = `step ${base.steps} (${phase}${offeredRps === null ? ', closed loop' : ` at ${offeredRps} req/s`})`;
  let judged: StepJudgement | null = null;
  let outcome: { progress: CapacityProgress; result?: CapacityResult };
  if (record.status === 'skipped') {
    outcome = ended(base, 'unsupported', record.reason ?? 'unsupported');
  } else if (phase === 'probe' && overloaded(record)) {
    // Not one reply within the window: no throughput to bound the search with, so no ceiling but the step bound.
    const start = roundRate((base.lastPassRps ?? settings.idleRps) * settings.growth);
    outcome = {
      progress: { ...base, probeRps: 0, ceilingRps: null, next: { phase: 'ramp', rateRps: start } },
    };
  } else if (record.status !== 'ok' && !overloaded(record)) {
    outcome = ended(
      base,
      'server-failed',
      `${where} ${record.status}: ${record.reason ?? 'no reason given'}`,
    );
  } else if (phase === 'probe') {
    // Little's law (closed loop: every connection always has one request out): connections ÷ mean
    // latency. The counted rate alone falls short when latency is a large part of the window (the
    // requests sent during the warm-up and answered inside the window are not counted).
    const littleRps =
      record.connections !== null && record.latencyUs.mean > 0
        ? record.connections / (record.latencyUs.mean / 1e6)
        : 0;
    const probeRps = roundRate(Math.max(record.rps, littleRps));
    const ceilingRps = roundRate(Math.max(2 * probeRps, (base.lastPassRps ?? 0) * settings.growth));
    const start = roundRate(
      Math.min(ceilingRps, Math.max(probeRps / 2, (base.lastPassRps ?? 0) * settings.growth)),
    );
    outcome = { progress: { ...base, probeRps, ceilingRps, next: { phase: 'ramp', rateRps: start } } };
  } else {
    judged = judgeStep(record, settings);
    const rate = offeredRps ?? record.rps;
    if (judged.passed) base.lastPassRps = Math.max(base.lastPassRps ?? 0, rate);
    else if (!judged.generatorLimited) base.firstFailRps = Math.min(base.firstFailRps ?? Infinity, rate);
    if (phase === 'idle') base.idleUs = judged.valueUs;
    if (judged.generatorLimited) {
      outcome = ended(
        base,
        'generator-limited',
        `${where}: ${judged.why.join('; ')}. Raising the rate would measure the generator, not the server: the capacity is at least ${base.lastPassRps ?? 0} req/s; add --load-threads, or measure from another machine`,
      );
    } else if (phase === 'idle' && !judged.passed) {
      outcome = ended(
        base,
        'idle-fails',
        `even at the idle rate ${rate} req/s: ${judged.why.join('; ')}; no rate meets ${label}`,
      );
    } else if (phase === 'idle' && settings.maxRateRps === null) {
      outcome = { progress: { ...base, next: { phase: 'probe', rateRps: null } } };
    } else if (phase === 'idle') {
      const ceiling = settings.maxRateRps ?? rate;
      const start = roundRate(Math.min(ceiling, Math.max(ceiling / 4, rate * settings.growth)));
      outcome = { progress: { ...base, next: { phase: 'ramp', rateRps: start } } };
    } else {
      outcome = nextRate(base, settings, label);
    }
  }
  if (outcome.result === undefined && outcome.progress.next !== null) {
    // What this step learnt (a probe's throughput and ceiling too) stays on the record of a search a bound ends.
    const { next: _next, ...known } = outcome.progress;
    if (known.steps >= settings.maxSteps) {
      outcome = ended(
        known,
        'step-limit',
        `stopped after ${known.steps} steps (--max-steps): ${intervalText(known)}`,
      );
    } else if (settings.timeBudgetS !== null && known.spentS >= settings.timeBudgetS) {
      outcome = ended(
        known,
        'time-budget',
        `stopped after ${Math.round(known.spentS)} s (--time-budget ${settings.timeBudgetS} s): ${intervalText(known)}`,
      );
    }
  }
  const info: CapacityStepInfo = {
    ...outcome.progress,
    search: state.search,
    phase,
    offeredRps,
    percentile: settings.percentile,
    targetUs: settings.targetUs,
    maxErrorRate: settings.maxErrorRate,
    valueUs: judged?.valueUs ?? record.latencyUs[settings.percentile],
    errorRate: judged?.errorRate ?? 0,
    passed: judged?.passed ?? null,
    why: judged?.why ?? [],
    ...(outcome.result ? { result: outcome.result } : {}),
  };
  const next = outcome.progress.next;
  return {
    info,
    state: next === null ? null : { ...outcome.progress, next, search: state.search, settings },
  };
}
