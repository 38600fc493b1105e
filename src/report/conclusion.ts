/**
 * The plain-language conclusion of a run, computed from the data only:
 * which model beat the sequential baseline by how much (with the interval
 * and whether it is distinguishable from 1×), which server architecture
 * gave the most requests per second and the lowest p99, and which pipeline
 * method wrote the most.
 * `conlab run` prints it and the HTML report shows the same text.
 */
import type { BatchCell, CellRecord, PipelineCell, RunData, ServerCell } from '../results/record.ts';
import { ratioOfMeans, type RatioInterval } from '../stats/inference.ts';
import { speedupGroupKey } from '../results/speedup.ts';
import { mergeRepetitions } from '../results/merge.ts';
import { baselineModel, modelVaries } from '../models/registry.ts';
import { shortfallSentences } from './shortfall.ts';

function times(value: number): string {
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)}×`;
}

function interval(ratio: RatioInterval): string {
  return ratio.low === null || ratio.high === null
    ? ''
    : ` [${ratio.low.toFixed(2)}–${ratio.high.toFixed(2)}]`;
}

function excludesOne(ratio: RatioInterval): boolean {
  return ratio.low !== null && ratio.high !== null && (ratio.low > 1 || ratio.high < 1);
}

/** What the reader must know about a ratio: nothing when it is clear, else why it is not. */
function uncertainty(a: readonly number[], b: readonly number[], ratio: RatioInterval, from: string): string {
  if (a.length < 2 || b.length < 2) return ', too few repetitions to tell';
  if (ratio.low === null) return ', too noisy to tell';
  return excludesOne(ratio) ? '' : `, not distinguishable${from ? ` ${from}` : ''}`;
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

function batchSentence(group: BatchCell[], cores: number, multiRuntime: boolean): string {
  const first = group[0] as BatchCell;
  const where = `${first.workload}${multiRuntime ? ` on ${shortRuntime(first.runtime)}` : ''} on ${cores} cores`;
  const sequential = group.find((cell) => cell.model === baselineModel.name);
  const others = group.filter((cell) => cell.model !== baselineModel.name);
  if (!sequential) {
    const best = group.toSorted((a, b) => a.durationMs - b.durationMs)[0] as BatchCell;
    return `for ${where}, ${best.model}${batchShape(best)} was fastest (${best.durationMs.toFixed(0)} ms); no sequential baseline was measured`;
  }
  if (others.length === 0)
    return `for ${where}, only sequential was measured (${sequential.durationMs.toFixed(0)} ms)`;
  // Per model, its best concurrency level; speedup = sequential duration ÷ model duration.
  const bestPerModel = new Map<string, { cell: BatchCell; ratio: RatioInterval }>();
  for (const cell of others) {
    const ratio = ratioOfMeans(cell.durationsMs, sequential.durationsMs);
    const current = bestPerModel.get(cell.model);
    if (!current || ratio.ratio > current.ratio.ratio) bestPerModel.set(cell.model, { cell, ratio });
  }
  const ranked = [...bestPerModel.values()].sort((a, b) => b.ratio.ratio - a.ratio.ratio);
  const parts = ranked.map(({ cell, ratio }, i) => {
    const name = `${cell.model}${batchShape(cell)}`;
    const sig = uncertainty(cell.durationsMs, sequential.durationsMs, ratio, 'from sequential');
    if (sig !== '' || ratio.ratio === 1) return `${name} ${times(ratio.ratio)}${interval(ratio)}${sig}`;
    const plural = cell.model.endsWith('s') ? 'were' : 'was';
    if (ratio.ratio < 1) {
      // Slower: say it as "× slower" and turn the interval around with it.
      const inverted = {
        ...ratio,
        ratio: 1 / ratio.ratio,
        low: ratio.high === null ? null : 1 / ratio.high,
        high: ratio.low === null ? null : 1 / ratio.low,
      };
      return `${name}${i === 0 ? ` ${plural}` : ''} ${times(inverted.ratio)} slower${i === 0 ? ' than sequential' : ''}${interval(inverted)}`;
    }
    return i === 0
      ? `${name} ${plural} ${times(ratio.ratio)} faster than sequential${interval(ratio)}`
      : `${name} ${times(ratio.ratio)}${interval(ratio)}`;
  });
  // When the leading clause does not say "than sequential" itself, say what the × are relative to.
  const lead = parts[0]?.includes('than sequential') ? '' : 'relative to sequential, ';
  return `for ${where}, ${lead}${parts.join('; ')}`;
}

function serverLoad(cell: ServerCell): string {
  return cell.rateRps === null ? `${cell.connections ?? 0} connections` : `${cell.rateRps} req/s offered`;
}

function serverSentence(group: ServerCell[], multiRuntime: boolean): string {
  const first = group[0] as ServerCell;
  const where = `${first.protocol === 'http' ? `/${first.endpoint}` : first.endpoint} at ${serverLoad(first)}${multiRuntime ? ` on ${shortRuntime(first.runtime)}` : ''}`;
  const byRps = group.toSorted((a, b) => b.rps - a.rps);
  const best = byRps[0] as ServerCell;
  const runnerUp = byRps[1];
  let rpsPart = `${best.architecture} had the best throughput (${Math.round(best.rps)} req/s`;
  if (runnerUp) {
    const ratio = ratioOfMeans(runnerUp.rpsPerRep, best.rpsPerRep);
    const sig = uncertainty(runnerUp.rpsPerRep, best.rpsPerRep, ratio, '');
    rpsPart += `, ${times(ratio.ratio)} ${runnerUp.architecture}${interval(ratio)}${sig}`;
  }
  rpsPart += ')';
  const byP99 = group.toSorted((a, b) => a.latencyUs.p99 - b.latencyUs.p99)[0] as ServerCell;
  const p99 = `${(byP99.latencyUs.p99 / 1000).toFixed(2)} ms`;
  const p99Part =
    byP99 === best ? `and the lowest p99 (${p99})` : `and ${byP99.architecture} the lowest p99 (${p99})`;
  return `for ${where}, ${rpsPart} ${p99Part}`;
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
    const sig = uncertainty(base.aggregateMiBpsPerRep, best.aggregateMiBpsPerRep, ratio, '');
    text += `, ${times(ratio.ratio)} its rate with ${base.concurrency}${interval(ratio)}${sig}`;
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
      `${cell.runtime}|${cell.endpoint}|${cell.protocol}|${cell.connections}|${cell.rateRps}|${JSON.stringify(cell.durationS)}`,
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
  const flagged = ok.filter((cell) =>
    cell.verdicts.some(
      (verdict) => verdict === 'machine-busy' || verdict === 'noisy' || verdict === 'client-saturated',
    ),
  );
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
  if (flagged.length > 0) {
    text += ` ${flagged.length} cell${flagged.length === 1 ? ' was' : 's were'} flagged (busy machine, saturated client or noisy repetitions); treat ${flagged.length === 1 ? 'it' : 'them'} with care.`;
  }
  text += ' Intervals are 95% confidence intervals across repetitions.';
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
    const others = rest.map((cell) => {
      const ratio = ratioOfMeans(fastest.durationsMs, cell.durationsMs);
      const sig = uncertainty(fastest.durationsMs, cell.durationsMs, ratio, '');
      return `${shortRuntime(cell.runtime)} ${times(ratio.ratio)}${sig === '' ? ' slower' : ''}${interval(ratio)}${sig}`;
    });
    sentences.push(
      `across runtimes, ${fastest.workload} ran fastest on ${shortRuntime(fastest.runtime)} with ${fastest.model}${batchShape(fastest)} in ${fastest.durationMs.toFixed(0)} ms; best of ${others.join(', ')}`,
    );
  }
  return sentences;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
