/**
 * End to end: the generated HTML report opened from disk in the Debian
 * chromium (driven by playwright-core, no browser download). Every chart
 * must be drawn (an SVG with a non-zero box), nothing may be fetched from
 * the network, nothing may log an error, and the table must sort. A
 * missing chromium is a named skip, never a pass.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { writeHtmlReport } from '../../src/report/html.ts';
import { allCharts } from '../../src/report/charts.ts';
import { reportRows } from '../../src/report/rows.ts';
import { allFailedRun, mixedRun } from './fixtures/runs.ts';
import { chromiumArgs, chromiumPath } from '../../src/report/chromium.ts';

const screenshotPath = new URL('../../test-output/report.png', import.meta.url).pathname;

/** A private temp dir for one browser test; null when chromium is missing (the test is then a named skip). */
async function browserTestDir(t: TestContext): Promise<string | null> {
  if (!existsSync(chromiumPath)) {
    t.skip(`chromium not installed at ${chromiumPath} (apt-get install chromium)`);
    return null;
  }
  const dir = await mkdtemp(join(tmpdir(), 'conlab-report-browser-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function openBrowser(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArgs],
    viewport: { width: 1280, height: 900 },
    timeout: 30_000,
  });
}

test(
  'the HTML report renders every chart in chromium, offline, without errors',
  { timeout: 90_000 },
  async (t) => {
    const dir = await browserTestDir(t);
    if (dir === null) return;
    const run = mixedRun();
    const htmlPath = join(dir, 'report.html');
    await writeHtmlReport(run, htmlPath);
    const expectedCharts = allCharts(reportRows(run), run.run.env.cores).map((chart) => chart.id);

    const context = await openBrowser(join(dir, 'profile'));
    try {
      await checkReportPage(context, htmlPath, expectedCharts);
    } finally {
      await context.close();
    }
  },
);

async function checkReportPage(
  context: BrowserContext,
  htmlPath: string,
  expectedCharts: string[],
): Promise<void> {
  const run = mixedRun();
  const page = await context.newPage();
  const problems: string[] = [];
  const network: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('file:') && !url.startsWith('data:')) network.push(url);
  });

  await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load', timeout: 30_000 });

  const charts: { id: string; width: number; height: number; marks: number }[] = [];
  for (const figure of await page.locator('figure.chart').all()) {
    const box = await figure.locator('svg').first().boundingBox();
    charts.push({
      id: (await figure.getAttribute('data-chart')) ?? '',
      width: box?.width ?? 0,
      height: box?.height ?? 0,
      marks: await figure.locator('svg :is(path, rect, line, text)').count(),
    });
  }
  assert.deepEqual(
    charts.map((chart) => chart.id),
    expectedCharts,
    'every chart of the report is on the page, in order',
  );
  for (const chart of charts) {
    assert.ok(
      chart.width > 50 && chart.height > 50,
      `chart ${chart.id} has a visible box (${chart.width}x${chart.height})`,
    );
    assert.ok(chart.marks > 10, `chart ${chart.id} drew marks (${chart.marks})`);
  }
  const heatmaps = charts.filter((chart) => chart.id.startsWith('cpu-heatmap-'));
  assert.equal(
    heatmaps.length,
    reportRows(run).filter((row) => row.okReps > 0).length,
    'one heat map per measured cell',
  );

  // Sorting: clicking items/s sorts the batch table ascending by throughput.
  await page.click('#batch-cells thead th:has-text("items/s")');
  const column = (await page.locator('#batch-cells thead th').allTextContents()).indexOf('items/s');
  assert.ok(column >= 0, 'the batch table has an items/s column');
  const sorted: number[] = [];
  for (const cell of await page.locator(`#batch-cells tbody tr td:nth-child(${column + 1})`).all()) {
    sorted.push(Number((await cell.getAttribute('data-sort')) ?? 'NaN'));
  }
  assert.ok(sorted.length > 3, 'the batch table has rows');
  assert.deepEqual(
    sorted,
    sorted.toSorted((a, b) => a - b),
    'rows are sorted ascending by items/s',
  );

  await mkdir(new URL('../../test-output/', import.meta.url).pathname, { recursive: true });
  await page.screenshot({ path: screenshotPath, fullPage: true });

  assert.deepEqual(problems, [], 'no console errors or warnings');
  assert.deepEqual(network, [], 'no network requests');
}

test('a report of a run whose cells all failed says so in the browser', { timeout: 60_000 }, async (t) => {
  const dir = await browserTestDir(t);
  if (dir === null) return;
  const htmlPath = join(dir, 'failed.html');
  await writeHtmlReport(allFailedRun(), htmlPath);
  const context = await openBrowser(join(dir, 'profile'));
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    const notice = await page.textContent('p.notice');
    assert.match(notice ?? '', /All \d+ cells of this run failed/);
    assert.equal(await page.locator('figure.chart').count(), 0, 'no empty charts');
    assert.ok((await page.locator('#batch-cells tbody tr.failed').count()) > 0, 'failed rows are listed');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
