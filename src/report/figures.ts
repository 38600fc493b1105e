/**
 * Writes each chart of a run as its own file: SVG (for the web and for
 * editing) and PNG (for papers and READMEs), named by the chart id.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunData } from '../results/record.ts';
import { ErrorCodes, LabError } from '../core/errors.ts';
import type { TopLevelSpec } from 'vega-lite';
import { allCharts, type ChartSpec } from './charts.ts';
import { reportRows } from './rows.ts';
import { renderSvg, svgToPng } from './svg.ts';

export interface FigureOptions {
  svgDir?: string;
  pngDir?: string;
}

/**
 * A figure file travels without the page around it: put what it shows and
 * where it comes from (workload, runtime, run, machine) into its own title.
 */
export function figureSpec(chart: ChartSpec, run: RunData): TopLevelSpec {
  const subtitle = `run ${run.run.runId} · ${run.run.env.cores} cores · ${run.run.env.cpuModel}`;
  return {
    ...chart.spec,
    title: { text: chart.title, subtitle, anchor: 'start', fontSize: 14 },
  };
}

/** Writes the figures and returns the paths written, in chart order. */
export async function writeFigures(run: RunData, options: FigureOptions): Promise<string[]> {
  const charts = allCharts(reportRows(run), run.run.env.cores);
  const written: string[] = [];
  try {
    for (const dir of [options.svgDir, options.pngDir])
      if (dir !== undefined) await mkdir(dir, { recursive: true });
    for (const chart of charts) {
      const svg = await renderSvg(figureSpec(chart, run));
      if (options.svgDir !== undefined) {
        const path = join(options.svgDir, `${chart.id}.svg`);
        await writeFile(path, svg);
        written.push(path);
      }
      if (options.pngDir !== undefined) {
        const path = join(options.pngDir, `${chart.id}.png`);
        await writeFile(path, svgToPng(svg));
        written.push(path);
      }
    }
  } catch (error) {
    throw new LabError(
      ErrorCodes.IO,
      `cannot write figures: ${error instanceof Error ? error.message : String(error)}`,
      {
        hint: 'give --svg / --png a directory you can write to',
      },
    );
  }
  return written;
}
