/**
 * "Where the time went": per cell, a small table of the subject tree's
 * processes and threads over the measured window (src/monitor/accounting.ts,
 * last repetition), with the likely cause of a model that fell short of its
 * workers above it. The runtime's helper threads (GC, JIT, I/O) are summed
 * per process into one row: their count varies by runtime, their total is
 * what a reader compares. A renderer: rows in, HTML out.
 */
import { sumTimeAccounts } from '../monitor/accounting.ts';
import type { ProcessAccount, ThreadAccount, TimeAccount } from '../monitor/types.ts';
import type { ReportRow } from './rows.ts';

type Escape = (text: string) => string;

const num = (value: number | null): string => (value === null ? '-' : Math.round(value).toString());
const share = (part: number, whole: number): string =>
  whole > 0 ? `${Math.round((part / whole) * 100)}%` : '-';

interface Line extends TimeAccount {
  kind: 'process' | 'thread' | 'helpers';
  label: string;
  role: string;
}

/** Only the time fields of an account (a row must not carry its pid, name or role twice). */
function timeOf(account: TimeAccount): TimeAccount {
  const { cpuMs, userMs, systemMs, runQueueWaitMs, voluntarySwitches, involuntarySwitches } = account;
  return { cpuMs, userMs, systemMs, runQueueWaitMs, voluntarySwitches, involuntarySwitches };
}

function processLine(process: ProcessAccount): Line {
  const label = `process ${process.pid} (${process.name}), ${process.threads} threads`;
  return { kind: 'process', label, role: process.role, ...timeOf(process) };
}

function threadLine(thread: ThreadAccount): Line {
  return { kind: 'thread', label: `${thread.tid} ${thread.name}`, role: thread.role, ...timeOf(thread) };
}

function helpersLine(helpers: ThreadAccount[]): Line {
  const names = [...new Set(helpers.map((thread) => thread.name))].join(', ');
  const label = `${helpers.length} helper threads (${names})`;
  return { kind: 'helpers', label, role: 'helper', ...sumTimeAccounts(helpers) };
}

function cellTable(row: ReportRow, escape: Escape): string | null {
  const accounting = row.okReps > 0 ? row.monitor?.accounting : undefined;
  if (!accounting || accounting.processes.length === 0) return null;
  const lines: Line[] = [];
  for (const process of accounting.processes) {
    lines.push(processLine(process));
    const threads = accounting.threads.filter((thread) => thread.pid === process.pid);
    lines.push(...threads.filter((thread) => thread.role !== 'helper').map(threadLine));
    const helpers = threads.filter((thread) => thread.role === 'helper');
    if (helpers.length > 0) lines.push(helpersLine(helpers));
  }
  const window = accounting.windowMs;
  const body = lines
    .map(
      (line) =>
        `<tr class="${line.kind}"><td>${escape(line.label)}</td><td>${escape(line.role)}</td>` +
        [
          num(line.cpuMs),
          share(line.cpuMs, window),
          num(line.userMs),
          num(line.systemMs),
          num(line.runQueueWaitMs),
          String(line.voluntarySwitches),
          String(line.involuntarySwitches),
        ]
          .map((text) => `<td class="num">${escape(text)}</td>`)
          .join('') +
        '</tr>',
    )
    .join('\n');
  const gone = [
    accounting.exitedProcesses > 0 ? `${accounting.exitedProcesses} process(es)` : '',
    accounting.exitedThreads > 0 ? `${accounting.exitedThreads} thread(s)` : '',
  ].filter((part) => part !== '');
  const cause = row.likelyCause
    ? `<p class="cause"><strong>${escape(row.speedup === null ? '' : `${row.speedup.toFixed(2)}× of ${row.workers ?? '?'}: `)}</strong>${escape(row.likelyCause.text)}</p>`
    : '';
  const ended =
    gone.length > 0
      ? `<p class="sub">${escape(gone.join(' and '))} ended inside the window: their CPU is in the process (or tree) totals, not in a row of their own.</p>`
      : '';
  return `<section class="time-spent" data-cell-key="${escape(row.cellKey)}">
<h3>${escape(`${row.subject} ${row.levelLabel} · ${row.workload} · ${row.runtime}`)}</h3>
${cause}<table class="cells threads"><thead><tr><th>process / thread</th><th>role</th><th class="num">CPU ms</th><th class="num">of window</th><th class="num">user ms</th><th class="num">sys ms</th><th class="num">run-queue wait ms</th><th class="num">voluntary sw.</th><th class="num">involuntary sw.</th></tr></thead>
<tbody>
${body}
</tbody></table>
<p class="sub">Window ${escape(num(window))} ms (last repetition).</p>${ended}
</section>`;
}

/** The section's content: one table per ok cell that has accounting; null when none has. */
export function timeSpentHtml(rows: readonly ReportRow[], escape: Escape): string | null {
  const tables = rows.flatMap((row) => cellTable(row, escape) ?? []);
  if (tables.length === 0) return null;
  return `<p class="sub">Per process and thread of the subject's tree over the measured window: CPU (on a CPU), user and kernel time, run-queue wait (runnable, but no CPU free), voluntary switches (blocked: a lock, I/O, a message) and involuntary ones (preempted). "main" dispatches the items, "worker" runs them, "helper" is the runtime's own (GC, JIT, I/O). A model that fell short of its workers carries its likely cause above its table.</p>
<div class="time-spent-cells">${tables.join('\n')}</div>`;
}
