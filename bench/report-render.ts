/**
 * Benchmark of the report's figure pipeline against the reference way of
 * getting a PNG of a chart: a headless browser screenshot. Same charts
 * (the report fixture: 23 charts incl. 16 heat maps), same run, side by side:
 *   ours: vega headless → SVG → resvg → PNG (no browser)
 *   reference: the same SVG loaded in Chromium (playwright-core) → element screenshot at 2x
 * and the time of the whole HTML report. Prints medians and ratios.
 *   node bench/report-render.ts [rounds=5]
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { allCharts } from '../src/report/charts.ts';
import { renderHtmlReport } from '../src/report/html.ts';
import { reportRows } from '../src/report/rows.ts';
import { renderSvg, svgToPng } from '../src/report/svg.ts';
import { mixedRun } from '../test/report/fixtures/runs.ts';
import { chromiumArgs, chromiumPath } from '../src/report/chromium.ts';

const rounds = Number(process.argv[2] ?? 5);

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const run = mixedRun();
const charts = allCharts(reportRows(run), run.run.env.cores);
const svgs = await Promise.all(charts.map((chart) => renderSvg(chart.spec)));

const results = {
  svgMs: [] as number[],
  resvgMs: [] as number[],
  chromiumMs: [] as number[],
  htmlMs: [] as number[],
};
let htmlBytes = 0;

const profile = await mkdtemp(join(tmpdir(), 'conlab-bench-profile-'));
// A CLI that wanted PNGs from a browser would pay this once per invocation.
const launchStart = performance.now();
const context = existsSync(chromiumPath)
  ? await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: [...chromiumArgs],
      deviceScaleFactor: 2,
    })
  : undefined;
const launchMs = performance.now() - launchStart;
try {
  const page = context ? await context.newPage() : undefined;
  for (let round = 0; round < rounds; round++) {
    // Alternate the order so neither side always runs on a warmer machine.
    const order = round % 2 === 0 ? ['ours', 'reference'] : ['reference', 'ours'];
    for (const side of order) {
      if (side === 'ours') {
        let start = performance.now();
        for (const chart of charts) await renderSvg(chart.spec);
        results.svgMs.push(performance.now() - start);
        start = performance.now();
        for (const svg of svgs) svgToPng(svg, 2);
        results.resvgMs.push(performance.now() - start);
      } else if (page) {
        const start = performance.now();
        for (const svg of svgs) {
          await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
          await page.locator('svg').first().screenshot({ type: 'png' });
        }
        results.chromiumMs.push(performance.now() - start);
      }
    }
    const start = performance.now();
    const html = await renderHtmlReport(run);
    results.htmlMs.push(performance.now() - start);
    htmlBytes = Buffer.byteLength(html);
  }
} finally {
  await context?.close();
  await rm(profile, { recursive: true, force: true });
}

const svgMs = median(results.svgMs);
const resvgMs = median(results.resvgMs);
const chromiumMs = median(results.chromiumMs);
console.log(
  `charts: ${charts.length} (fixture run: ${run.cells.length} records, ${reportRows(run).length} cells), rounds: ${rounds}, medians`,
);
console.log(
  `vega → SVG (ours, both paths need it):   ${svgMs.toFixed(0)} ms  (${(svgMs / charts.length).toFixed(1)} ms/chart)`,
);
console.log(
  `SVG → PNG with resvg (ours):             ${resvgMs.toFixed(0)} ms  (${(resvgMs / charts.length).toFixed(1)} ms/chart)`,
);
if (results.chromiumMs.length > 0) {
  console.log(
    `SVG → PNG with Chromium screenshot (ref): ${chromiumMs.toFixed(0)} ms  (${(chromiumMs / charts.length).toFixed(1)} ms/chart, browser start not counted)`,
  );
  console.log(`ratio reference / ours (PNG step):       ${(chromiumMs / resvgMs).toFixed(2)}x`);
  console.log(
    `Chromium launch (once per CLI call):      ${launchMs.toFixed(0)} ms; ratio incl. launch: ${((chromiumMs + launchMs) / resvgMs).toFixed(2)}x`,
  );
} else {
  console.log('Chromium not installed: reference side skipped');
}
console.log(
  `whole HTML report (rows, ${charts.length} SVGs, page): ${median(results.htmlMs).toFixed(0)} ms, ${(htmlBytes / 1024).toFixed(0)} KiB`,
);
