/**
 * The plain-language conclusion of a run, computed from the data only.
 * Each sentence leads with what the data shows beyond doubt (a 95%
 * interval that excludes 1×, or one so narrow around 1× that "no faster"
 * is itself the finding), says how precise the numbers behind it are
 * ("times ±1–3%"), and gives every comparison it cannot decide the reason
 * why: too few repetitions, or repetitions too spread out for the
 * difference at hand (with the precision each side reached). A parallel
 * model clearly short of its worker count is said to be so.
 * `conlab run` prints it and the HTML report shows the same text.
 */
import {
  servedEndpoint,
  type BatchCell,
  type CellRecord,
  type PipelineCell,
  type RunData,
  type ServerCell,
} from '../results/record.ts';
import { ratioOfMeans, type RatioInterval } from '../stats/inference.ts';
import { precisionPercent } from '../stats/precision.ts';
import { speedupGroupKey, workersUsed } from '../results/speedup.ts';
import { mergeRepetitions } from '../results/merge.ts';
import { primaryMetric } from '../results/primary.ts';
import { baselineModel, modelVaries } from '../models/registry.ts';
import { workloadLabel } from '../workloads/index.ts';
import { shortfallSentences } from './shortfall.ts';

/**
 * An interval that holds 1× but lies within this of it says "no
 * difference worth the name": a finding, not an open question.
 */
const SAME_WITHIN = 0.1;
/** A parallel model whose interval stays below this share of its workers is called short of them. */
const SHORT_OF_WORKERS = 0.9;

/** 12×, 3.4×, 1.93×: two decimals where a few % matter (near 1× and 2×). */
function times(value: number): string {
  return `${value.toFixed(value >= 10 ? 0 : value >= 3 ? 1 : 2)}×`;
}

function bounds(low: number | null, high: number | null): string {
  return low === null || high === null ? '' : ` [${low.toFixed(2)}–${high.toFixed(2)}]`;
}

/** 0.8%, 4.9%, 12%: one decimal where a target of a few % is judged. */
function percent(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)}%`;
}

/** "±3%" of one set of repetitions, or '' when there is no interval. */
function plusMinus(values: readonly number[]): string {
  const precision = precisionPercent(values);
  return precision === null ? '' : `±${percent(precision)}`;
}

/** "±1–3%" over several cells: how precise the numbers of a sentence are. */
function precisionRange(valueSets: readonly (readonly number[])[]): string {
  const known = valueSets.map((values) => precisionPercent(values)).filter((p): p is number => p !== null);
  if (known.length === 0) return '';
  const low = Math.min(...known);
  const high = Math.max(...known);
  return percent(low) === percent(high)
    ? `±${percent(high)}`
    : `±${percent(low).replace('%', '')}–${percent(high)}`;
}

/** How a ratio of two sets of repetitions reads: decided (and which way), the same, or undecided and why. */
type Verdict =
  { kind: 'decided' } | { kind: 'same'; withinPercent: number } | { kind: 'undecided'; why: string };

function judge(
  a: readonly number[],
  b: readonly number[],
  ratio: RatioInterval,
  aName: string,
  bName: string,
): Verdict {
  if (a.length < 2 || b.length < 2)
    return { kind: 'undecided', why: `too few repetitions to tell (${Math.min(a.length, b.length)})` };
  const spread = `${bName} varies ${plusMinus(b) || '?'}, ${aName} ${plusMinus(a) || '?'}`;
  if (ratio.low === null || ratio.high === null)
    return { kind: 'undecided', why: `too noisy to tell (${spread})` };
  if (ratio.low > 1 || ratio.high < 1) return { kind: 'decided' };
  if (ratio.low >= 1 - SAME_WITHIN && ratio.high <= 1 + SAME_WITHIN) {
    return { kind: 'same', withinPercent: Math.max(1 - ratio.low, ratio.high - 1) * 100 };
  }
  return { kind: 'undecided', why: `not distinguishable: the interval holds 1× (${spread})` };
}

/** What follows a compared ratio: ": the same within 4%", ", not distinguishable: …", or nothing once decided. */
function verdictTail(verdict: Verdict): string {
  if (verdict.kind === 'same') return `: the same within ${percent(verdict.withinPercent)}`;
  return verdict.kind === 'undecided' ? `, ${verdict.why}` : '';
}

function shortRuntime(label: string): string {
  return label.split('.')[0] ?? label;
}

function batchShape(cell: BatchCell): string {
  if (cell.model === baselineModel.name) return '';
  return modelVaries(cell.model, 'threadsPerProcess')
    ? ` (${cell.concurrency}×${cell.threadsPerProcess})`
    : ` (c=${cell.concurrency})`;
}

function plural(name: string): string {
  return name.endsWith('s') ? 'were' : 'was';
}

/** ", short of 2×" for a parallel model whose whole interval stays clearly below its worker count. */
function shortOfWorkers(cell: BatchCell, ratio: RatioInterval): string {
  const workers = workersUsed(cell);
  if (workers === null || workers < 2 || ratio.high === null) return '';
  return ratio.high < workers * SHORT_OF_WORKERS ? `, short of ${workers}×` : '';
}

/** Cells that did not reach the adaptive target, as "threads (c=2) 12%", and the target. */
function precisionMisses(cells: readonly CellRecord[]): { target: number; misses: string[] } | null {
  let target: number | undefined;
  const misses = cells.flatMap((cell) => {
    const cellTarget = cell.adaptive?.targetPercent;
    const reached = precisionPercent(primaryMetric(cell).values);
    if (cellTarget === undefined || reached === null || reached <= cellTarget) return [];
    target = cellTarget;
    const name =
      cell.kind === 'batch'
        ? `${cell.model}${batchShape(cell)}`
        : cell.kind === 'server'
          ? cell.architecture
          : cell.method;
    return [`${name} ${percent(reached)}`];
  });
  return target === undefined ? null : { target, misses };
}

function precisionNote(cells: readonly CellRecord[], what: string): string {
  const range = precisionRange(cells.map((cell) => primaryMetric(cell).values));
  const missed = precisionMisses(cells);
  const parts = [
    range === '' ? '' : `${what} ${range}`,
    missed ? `precision not reached (target ±${missed.target}%): ${missed.misses.join(', ')}` : '',
  ];
  const text = parts.filter((part) => part !== '').join('; ');
  return text === '' ? '' : ` (${text})`;
}

function batchSentence(group: BatchCell[], cores: number, multiRuntime: boolean): string {
  const first = group[0] as BatchCell;
  const where = `${workloadLabel(first.workload)}${multiRuntime ? ` on ${shortRuntime(first.runtime)}` : ''} on ${cores} cores`;
  const sequential = group.find((cell) => cell.model === baselineModel.name);
  const others = group.filter((cell) => cell.model !== baselineModel.name);
  const precision = precisionNote(group, 'times');
  if (!sequential) {
    const best = group.toSorted((a, b) => a.durationMs - b.durationMs)[0] as BatchCell;
    return `for ${where}, ${best.model}${batchShape(best)} was fastest (${best.durationMs.toFixed(0)} ms); no sequential baseline was measured${precision}`;
  }
  if (others.length === 0)
    return `for ${where}, only sequential was measured (${sequential.durationMs.toFixed(0)} ms)${precision}`;
  // Per model, its best level; speedup = sequential time ÷ model time (per pass over the same items).
  const bestPerModel = new Map<string, { cell: BatchCell; ratio: RatioInterval }>();
  for (const cell of others) {
    const ratio = ratioOfMeans(cell.durationsMs, sequential.durationsMs);
    const current = bestPerModel.get(cell.model);
    if (!current || ratio.ratio > current.ratio.ratio) bestPerModel.set(cell.model, { cell, ratio });
  }
  const ranked = [...bestPerModel.values()].sort((a, b) => b.ratio.ratio - a.ratio.ratio);
  const judged = ranked.map((entry) => ({
    ...entry,
    name: `${entry.cell.model}${batchShape(entry.cell)}`,
    verdict: judge(
      entry.cell.durationsMs,
      sequential.durationsMs,
      entry.ratio,
      entry.cell.model,
      'sequential',
    ),
  }));
  // Beyond doubt first (faster, then slower), then "no faster", then what cannot be told, with why.
  const faster = judged.filter((entry) => entry.verdict.kind === 'decided' && entry.ratio.ratio > 1);
  const slower = judged.filter((entry) => entry.verdict.kind === 'decided' && entry.ratio.ratio < 1);
  const clauses: string[] = [];
  faster.forEach(({ cell, ratio, name }, i) => {
    const interval = bounds(ratio.low, ratio.high);
    clauses.push(
      i === 0
        ? `${name} ${plural(cell.model)} ${times(ratio.ratio)} faster than sequential${interval}${shortOfWorkers(cell, ratio)}`
        : `${name} ${times(ratio.ratio)}${interval}${shortOfWorkers(cell, ratio)}`,
    );
  });
  for (const { cell, ratio, name } of slower) {
    // Slower: say it as "× slower" and turn the interval around with it.
    const low = ratio.high === null ? null : 1 / ratio.high;
    const high = ratio.low === null ? null : 1 / ratio.low;
    clauses.push(
      `${name} ${plural(cell.model)} ${times(1 / ratio.ratio)} slower than sequential${bounds(low, high)}`,
    );
  }
  for (const { ratio, name, verdict } of judged) {
    if (verdict.kind === 'same')
      clauses.push(
        `${name} no faster than sequential (${times(ratio.ratio)}${bounds(ratio.low, ratio.high)}: the same within ${percent(verdict.withinPercent)})`,
      );
    else if (verdict.kind === 'undecided')
      clauses.push(`${name} ${times(ratio.ratio)}${bounds(ratio.low, ratio.high)}, ${verdict.why}`);
  }
  return `for ${where}${precision}, ${clauses.join('; ')}`;
}

function serverLoad(cell: ServerCell): string {
  return cell.rateRps === null ? `${cell.connections ?? 0} connections` : `${cell.rateRps} req/s offered`;
}

function serverSentence(group: ServerCell[], multiRuntime: boolean): string {
  const first = group[0] as ServerCell;
  const endpoint = first.app
    ? servedEndpoint(first)
    : first.protocol === 'http'
      ? `/${first.endpoint}`
      : first.endpoint;
  const where = `${endpoint} at ${serverLoad(first)}${multiRuntime ? ` on ${shortRuntime(first.runtime)}` : ''}`;
  const byRps = group.toSorted((a, b) => b.rps - a.rps);
  const best = byRps[0] as ServerCell;
  const runnerUp = byRps[1];
  let rpsPart = `${best.architecture} had the best throughput (${Math.round(best.rps)} req/s`;
  if (runnerUp) {
    const ratio = ratioOfMeans(runnerUp.rpsPerRep, best.rpsPerRep);
    const verdict = judge(
      runnerUp.rpsPerRep,
      best.rpsPerRep,
      ratio,
      runnerUp.architecture,
      best.architecture,
    );
    rpsPart += `, ${times(ratio.ratio)} ${runnerUp.architecture}${bounds(ratio.low, ratio.high)}${verdictTail(verdict)}`;
  }
  rpsPart += ')';
  const byP99 = group.toSorted((a, b) => a.latencyUs.p99 - b.latencyUs.p99)[0] as ServerCell;
  const p99 = `${(byP99.latencyUs.p99 / 1000).toFixed(2)} ms`;
  const p99Part =
    byP99 === best ? `and the lowest p99 (${p99})` : `and ${byP99.architecture} the lowest p99 (${p99})`;
  return `for ${where}${precisionNote(group, 'req/s')}, ${rpsPart} ${p99Part}`;
}

function pipelineSentence(group: PipelineCell[], multiRuntime: boolean): string {
  const first = group[0] as PipelineCell;
  const where = `the I/O pipeline (${first.bufferKiB} KiB buffers, ${first.recvDelayS} s receive delay)${multiRuntime ? ` on ${shortRuntime(first.runtime)}` : ''}`;
  const best = group.toSorted((a, b) => b.aggregateMiBps - a.aggregateMiBps)[0] as PipelineCell;
  const bound =
    best.idealMiBps > 0
      ? `, ${Math.round((best.aggregateMiBps / best.idealMiBps) * 100)}% of the ${best.idealMiBps.toFixed(1)} MiB/s its receive delay allows`
      : '';
  let text = `for ${where}, ${best.method} with ${best.concurrency} pipeline${best.concurrency === 1 ? '' : 's'} wrote the most (${best.aggregateMiBps.toFixed(2)} MiB/s${bound})`;
  // Scaling is stated against the same method with the fewest pipelines in the same run.
  const base = group
    .filter((cell) => cell.method === best.method && cell.concurrency < best.concurrency)
    .toSorted((a, b) => a.concurrency - b.concurrency)[0];
  if (base) {
    const ratio = ratioOfMeans(base.aggregateMiBpsPerRep, best.aggregateMiBpsPerRep);
    const verdict = judge(
      base.aggregateMiBpsPerRep,
      best.aggregateMiBpsPerRep,
      ratio,
      `${base.concurrency}`,
      `${best.concurrency}`,
    );
    text += `, ${times(ratio.ratio)} its rate with ${base.concurrency}${bounds(ratio.low, ratio.high)}${verdictTail(verdict)}`;
  }
  return text;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}

/** "2 machine-busy, 1 window-short": which verdicts qualify how many ok cells (an unavailable monitor is said in the table). */
function flaggedText(ok: readonly CellRecord[]): string {
  const counts = new Map<string, number>();
  for (const cell of ok)
    for (const verdict of new Set(cell.verdicts))
      if (verdict !== 'monitor-unavailable') counts.set(verdict, (counts.get(verdict) ?? 0) + 1);
  if (counts.size === 0) return '';
  const cells = ok.filter((cell) =>
    cell.verdicts.some((verdict) => verdict !== 'monitor-unavailable'),
  ).length;
  const list = [...counts].map(([verdict, n]) => `${n} ${verdict}`).join(', ');
  return ` ${cells} cell${cells === 1 ? ' was' : 's were'} flagged (${list}); treat ${cells === 1 ? 'it' : 'them'} with care.`;
}

/** How repetitions were decided: fixed, or auto with how many cells reached the target. */
function repetitionsText(ok: readonly CellRecord[]): string {
  const adaptive = ok.filter((cell) => cell.adaptive !== undefined);
  if (adaptive.length === 0) return '';
  const reached = adaptive.filter((cell) => {
    const precision = precisionPercent(primaryMetric(cell).values);
    return precision !== null && precision <= (cell.adaptive?.targetPercent ?? 0);
  }).length;
  const target = adaptive[0]?.adaptive?.targetPercent ?? 0;
  return ` Repetitions were adaptive (at least ${adaptive[0]?.adaptive?.minRepetitions ?? 3}, until ±${target}%): ${reached} of ${adaptive.length} cells reached it.`;
}

/** One paragraph; `cells` are the run's records as stored (merged here) or already merged. */
export function conclusionText(run: RunData): string {
  const merged = mergeRepetitions(run.cells);
  const ok = merged.filter((cell) => cell.status === 'ok');
  const runtimes = new Set(ok.map((cell) => cell.runtime));
  const multiRuntime = runtimes.size > 1;
  const sentences: string[] = [];
  const batch = ok.filter((cell): cell is BatchCell => cell.kind === 'batch');
  // Workload first, then runtime: the reader compares runtimes of one workload side by side.
  const byWorkload = batch.toSorted(
    (a, b) => a.workload.localeCompare(b.workload) || a.runtime.localeCompare(b.runtime),
  );
  for (const group of groupBy(byWorkload, speedupGroupKey)) {
    sentences.push(batchSentence(group, run.run.env.cores, multiRuntime));
  }
  // Why a parallel model fell short of its workers: its likely cause, with the evidence (src/report/shortfall.ts).
  sentences.push(
    ...shortfallSentences(byWorkload, (cell) => `${cell.model}${batchShape(cell)}`, multiRuntime),
  );
  const server = ok.filter((cell): cell is ServerCell => cell.kind === 'server');
  const serverGroups = groupBy(
    server,
    (cell) =>
      `${cell.runtime}|${cell.endpoint}|${JSON.stringify(cell.app ?? null)}|${cell.protocol}|${cell.connections}|${cell.rateRps}|${JSON.stringify(cell.durationS)}`,
  );
  for (const group of serverGroups) sentences.push(serverSentence(group, multiRuntime));
  const pipeline = ok.filter((cell): cell is PipelineCell => cell.kind === 'pipeline');
  const pipelineGroups = groupBy(
    pipeline,
    (cell) => `${cell.runtime}|${cell.bufferKiB}|${cell.recvDelayS}|${cell.durationS}`,
  );
  for (const group of pipelineGroups) sentences.push(pipelineSentence(group, multiRuntime));
  if (multiRuntime) sentences.push(...runtimeSentences(ok));
  const notOk = merged.filter((cell) => cell.status !== 'ok');
  let text =
    sentences.length === 0
      ? 'No cell finished ok, so there is nothing to conclude.'
      : sentences.map((sentence) => `${capitalize(sentence)}.`).join(' ');
  if (notOk.length > 0) {
    const failed = notOk.filter((cell) => cell.status === 'failed').length;
    const skipped = notOk.filter((cell) => cell.status === 'skipped').length;
    const invalid = notOk.filter((cell) => cell.status === 'invalid').length;
    const counts = [
      failed > 0 ? `${failed} failed` : '',
      skipped > 0 ? `${skipped} skipped` : '',
      invalid > 0 ? `${invalid} invalid` : '',
    ].filter((part) => part !== '');
    text += ` ${counts.join(', ')} of ${merged.length} cells are left out (see the table for the reasons).`;
  }
  text += flaggedText(ok);
  text += repetitionsText(ok);
  text +=
    ' Intervals are 95% confidence intervals across repetitions; ±N% is the half-width of the interval of a cell’s mean (batch: time per pass over the items; servers: req/s).';
  return text;
}

/** With several runtimes: which runtime ran each workload's best configuration fastest. */
function runtimeSentences(ok: CellRecord[]): string[] {
  const sentences: string[] = [];
  const batch = ok.filter((cell): cell is BatchCell => cell.kind === 'batch');
  for (const group of groupBy(
    batch,
    (cell) => `${cell.workload}|${JSON.stringify(cell.params)}|${cell.items}`,
  )) {
    const bestPerRuntime = groupBy(group, (cell) => cell.runtime).map(
      (cells) => cells.toSorted((a, b) => a.durationMs - b.durationMs)[0] as BatchCell,
    );
    if (bestPerRuntime.length < 2) continue;
    bestPerRuntime.sort((a, b) => a.durationMs - b.durationMs);
    const [fastest, ...rest] = bestPerRuntime as [BatchCell, ...BatchCell[]];
    // durationsMs are per pass over the items, so runtimes sized to different rounds still compare.
    const others = rest.map((cell) => {
      const ratio = ratioOfMeans(fastest.durationsMs, cell.durationsMs);
      const name = shortRuntime(cell.runtime);
      const verdict = judge(
        fastest.durationsMs,
        cell.durationsMs,
        ratio,
        shortRuntime(fastest.runtime),
        name,
      );
      const shown = `${name} ${times(ratio.ratio)}${verdict.kind === 'decided' ? ' slower' : ''}${bounds(ratio.low, ratio.high)}`;
      return `${shown}${verdictTail(verdict)}`;
    });
    sentences.push(
      `across runtimes, ${workloadLabel(fastest.workload)} ran fastest on ${shortRuntime(fastest.runtime)} with ${fastest.model}${batchShape(fastest)} in ${fastest.durationMs.toFixed(0)} ms; best of ${others.join(', ')}`,
    );
  }
  return sentences;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
