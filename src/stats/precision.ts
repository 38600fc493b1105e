/**
 * How precisely repetitions pin a mean down, and the stopping rule of
 * adaptive repetitions (`repetitions: auto`): at least `minRepetitions`,
 * then more until the 95% interval of the mean is within ±target % of it,
 * or `maxRepetitions` are measured. The time budget is the caller's (the
 * step loop shares it between the cells still running); this is only the
 * part that depends on the values. Pure, with exact fixtures
 * (test/stats/precision.test.ts).
 */
import { meanInterval } from './inference.ts';

/** The rule of `repetitions: auto`, as resolved and stored with every record measured under it. */
export interface AdaptiveRule {
  /** At least this many, whatever the precision (3, the fewest that give an interval worth reading). */
  minRepetitions: number;
  maxRepetitions: number;
  /** Stop once the 95% interval's half-width is at most this % of the mean. */
  targetPercent: number;
}

/** The bounds every producer of an AdaptiveRule checks against (suite keys and flags). */
export const ADAPTIVE_LIMITS = {
  /** Below 3 repetitions a t interval is too wide to ever reach a sensible target. */
  minRepetitions: 3,
  maxRepetitions: { min: 3, max: 100 },
  /** 0.1% is below what a shared machine can give; 50% is no precision at all. */
  targetPercent: { min: 0.1, max: 50 },
} as const;

/**
 * What is wrong with a rule: the field (as the suite key names it) and what
 * is wrong with its value, with the allowed range; null when nothing is.
 * Callers turn it into their own LabError (a suite names the key, the CLI
 * the flag).
 */
export function adaptiveRuleProblem(
  rule: AdaptiveRule,
): { key: 'maxRepetitions' | 'precision' | 'minRepetitions'; text: string } | null {
  const { maxRepetitions: max, targetPercent: target, minRepetitions: fewest } = ADAPTIVE_LIMITS;
  const within = (value: number, low: number, high: number, whole: boolean): boolean =>
    (whole ? Number.isSafeInteger(value) : Number.isFinite(value)) && value >= low && value <= high;
  const checks = [
    {
      key: 'maxRepetitions' as const,
      ok: within(rule.maxRepetitions, max.min, max.max, true),
      text: `${rule.maxRepetitions} is not a whole number in ${max.min}..${max.max} (repetitions: auto measures at least ${fewest})`,
    },
    {
      key: 'precision' as const,
      ok: within(rule.targetPercent, target.min, target.max, false),
      text: `${rule.targetPercent}% is not in ${target.min}%..${target.max}%`,
    },
    {
      key: 'minRepetitions' as const,
      ok: within(rule.minRepetitions, fewest, rule.maxRepetitions, true),
      text: `${rule.minRepetitions} is not a whole number in ${fewest}..maxRepetitions (${rule.maxRepetitions})`,
    },
  ];
  const failed = checks.find((check) => !check.ok);
  return failed ? { key: failed.key, text: failed.text } : null;
}

export const DEFAULT_ADAPTIVE_RULE: AdaptiveRule = {
  minRepetitions: ADAPTIVE_LIMITS.minRepetitions,
  maxRepetitions: 10,
  targetPercent: 5,
};

/**
 * Half-width of the 95% (or `level`) t interval of the mean, in % of the
 * mean: "±3%". Null with fewer than 2 values (no spread to estimate) or a
 * mean that is not positive (every primary metric is a positive time or
 * rate; anything else has no relative precision).
 */
export function precisionPercent(values: readonly number[], level = 0.95): number | null {
  const interval = meanInterval(values, level);
  if (interval.low === null || interval.high === null || !(interval.mean > 0)) return null;
  return ((interval.high - interval.low) / 2 / interval.mean) * 100;
}

export type AdaptiveReason =
  /** Fewer than minRepetitions so far. */
  | 'below-minimum'
  /** The interval is within the target. */
  | 'precise'
  /** maxRepetitions reached without the target. */
  | 'max-repetitions'
  /** Not precise yet and allowed more. */
  | 'imprecise';

export interface AdaptiveDecision {
  /** True: measure another repetition (if the time budget allows). */
  more: boolean;
  reason: AdaptiveReason;
  /** The precision reached so far (null below 2 values). */
  precisionPercent: number | null;
}

/**
 * After `values.length` repetitions of one cell: another one, or stop? The
 * minimum comes first (3 repetitions are measured even when the first two
 * agree exactly), then the target, then the maximum.
 */
export function adaptiveDecision(values: readonly number[], rule: AdaptiveRule): AdaptiveDecision {
  const precision = precisionPercent(values);
  if (values.length < rule.minRepetitions)
    return { more: true, reason: 'below-minimum', precisionPercent: precision };
  if (precision !== null && precision <= rule.targetPercent)
    return { more: false, reason: 'precise', precisionPercent: precision };
  if (values.length >= rule.maxRepetitions)
    return { more: false, reason: 'max-repetitions', precisionPercent: precision };
  return { more: true, reason: 'imprecise', precisionPercent: precision };
}
