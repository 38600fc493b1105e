/**
 * Runs a preset's plan as a stored run: every cell through the server lab's
 * runServerCell (the one server-cell runner), each record written the moment
 * its cell ends by the store's one step loop (recordRun), then the preset's
 * own report from those records. The run is named `preset NAME`.
 */
import { recordRun } from '../../results/record-run.ts';
import type { ServerCell } from '../../results/record.ts';
import type { ResultStore } from '../../results/store.ts';
import { emptyServerCell } from '../../servers/driver/record.ts';
import { runServerCell } from '../../servers/driver/run-cell.ts';
import type { Preset, PresetCell, PresetContext, PresetPlan, PresetReport } from './types.ts';

/** Start-up, verification and stop of a fresh server: about a second on 2 cores. */
const SERVER_OVERHEAD_S = 1;

export interface PresetRun {
  runId: string;
  report: PresetReport;
}

export async function runPreset(
  preset: Preset,
  plan: PresetPlan,
  context: PresetContext,
  options: { store: ResultStore; log(line: string): void },
): Promise<PresetRun> {
  const { runtime } = context;
  const recorded = await recordRun<PresetCell>({
    store: options.store,
    name: `preset ${preset.name}`,
    command: 'preset',
    settings: { preset: preset.name, runtime: runtime.label, quick: context.quick, ...plan.settings },
    runtimeLabels: [runtime.label],
    cells: plan.cells,
    execute: (cell) => runServerCell(cell.spec, runtime),
    // runServerCell returns failures as records; this only covers a throw it did not expect.
    failedRecord: (cell, repetition, reason) => ({
      ...emptyServerCell(
        {
          architecture: cell.spec.arch,
          workers: cell.spec.workers ?? 1,
          threads: cell.spec.threads ?? 0,
          endpoint: cell.spec.endpoint,
          connections: cell.spec.connections,
          rateRps: cell.spec.rateRps ?? null,
          durationS: cell.spec.durationS,
        },
        cell.cellKey,
        runtime.label,
      ),
      status: 'failed',
      reason,
      repetitions: [repetition],
    }),
    estimateSeconds: (cell) => SERVER_OVERHEAD_S + cell.spec.warmupS + cell.spec.durationS,
    onStart: (event) => options.log(event.cell.label),
  });
  const byKey = new Map(recorded.records.map((record) => [record.cellKey, record as ServerCell]));
  const records = plan.cells.flatMap((cell) => {
    const record = byKey.get(cell.cellKey);
    return record ? [record] : [];
  });
  return { runId: recorded.runId, report: plan.report(records) };
}
