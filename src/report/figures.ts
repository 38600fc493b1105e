/**
 * Writes each chart of a run as its own file: SVG (for the web and for
 * editing) and PNG (for papers and READMEs), named by the chart id.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunData } from '../results/record.ts';
import { ErrorCodes, LabError, errorText } from '../core/errors.ts';
import type { TopLevelSpec } from 'vega-lite';
import { allCharts, type ChartSpec } from './charts.ts';
import { reportRows } from './rows.ts';
import { ensureDir } from './files.ts';
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

export interface FiguresWritten {
  /** Paths written, in chart order. */
  written: string[];
  /** Charts that could not be drawn, with why; the others are still written. */
  failed: { id: string; reason: string }[];
}

async function writeOrFail(path: string, data: string | Buffer): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (error) {
    throw new LabError(ErrorCodes.IO, `cannot write figure '${path}': ${errorText(error)}`, {
      hint: 'give --svg / --png a directory you can write to',
    });
  }
}

/** Writes each chart of the run as an SVG and/or PNG file named after the chart. */
export async function writeFigures(run: RunData, options: FigureOptions): Promise<FiguresWritten> {
  const charts = allCharts(reportRows(run), run.run.env.cores);
  const result: FiguresWritten = { written: [], failed: [] };
  for (const dir of [options.svgDir, options.pngDir]) if (dir !== undefined) await ensureDir(dir);
  for (const chart of charts) {
    let svg: string;
    let png: Buffer | undefined;
    try {
      svg = await renderSvg(figureSpec(chart, run));
      if (options.pngDir !== undefined) png = svgToPng(svg);
    } catch (error) {
      result.failed.push({ id: chart.id, reason: errorText(error) });
      continue;
    }
    if (options.svgDir !== undefined) {
      const path = join(options.svgDir, `${chart.id}.svg`);
      await writeOrFail(path, svg);
      result.written.push(path);
    }
    if (options.pngDir !== undefined && png !== undefined) {
      const path = join(options.pngDir, `${chart.id}.png`);
      await writeOrFail(path, png);
      result.written.push(path);
    }
  }
  return result;
}
