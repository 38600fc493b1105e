/**
 * `conlab bench-server`: measure server architectures side by side. Each
 * cell (runtime × arch × endpoint × load level) runs through runServerCell:
 * a fresh verified server per repetition, our load generator, the monitor on
 * the server's process tree. Unsupported combinations are skipped with the
 * reason; a failed cell is reported and the rest still run.
 */
import type { Command } from '../command.ts';
import { serverCellFlags } from '../server-flags.ts';
import {
  optionalFlag,
  parseCommandArgs,
  parseIntFlag,
  parseIntListFlag,
  parseNameListFlag,
  parseNumberFlag,
  parseThresholdFlags,
  thresholdFlagHelp,
  thresholdFlags,
} from '../args.ts';
import { jsonText, outputFlags, outputOf, parseDuration } from '../grammar.ts';
import { onInterrupt } from '../../core/subject/exit-hook.ts';
import { describeApp } from '../../servers/subject/app/app-module.ts';
import { requestFlags, requestFlagsHelp, requestsFromFlags } from '../request-flags.ts';
import {
  allowFailuresFlag,
  allowFailuresHelp,
  crossedThresholds,
  exitCode,
  exitCodesHelp,
  failedCells,
  recordLabel,
} from '../exit.ts';
import { checkCell, serverMetrics } from '../../results/thresholds.ts';
import { planServerBench, runServerBench, SERVER_BENCH_DEFAULTS as D } from '../../servers/driver/bench.ts';
import { endpointNames } from '../../servers/driver/endpoints.ts';
import { renderServerTable } from '../../servers/driver/table.ts';
import { warnHostExposure } from '../bind-warning.ts';
import { progressFlags, progressFlagsHelp, secondsPrinter } from '../progress.ts';
import { countFlagHelp } from '../../servers/resolve.ts';
import { architectures } from '../../servers/subject/arch/registry.ts';
import { MAX_ITERS } from '../../servers/subject/http/score-request.ts';
import { DEFAULT_SPIN_ITERS } from '../../servers/subject/work/compute.ts';

const usage = `conlab bench-server [flags]

Start each architecture fresh, verify every endpoint (PROTOCOL.md vectors),
warm up, load it with conlab's generator (every reply verified), monitor the
server's whole process tree, stop it and check nothing is left.

  --arch a,b,...        ${architectures.names().join(', ')} (default ${D.architectures.join(',')})
  --endpoint E,...      ${endpointNames.join(', ')} (default ${D.endpoints.join(',')})
  --connections 1,10    closed loop connection counts (default ${D.connections.join(',')})
  --rate R,...          open loop request rates (req/s) instead, over --connections (one value)
  --duration T          measured time per repetition: 5, 5s, 500ms, 1m (default ${D.durationS}s)
  --warmup T            warm-up time before measuring (default ${D.warmupS}s)
  --workers N           serving units (${countFlagHelp('workers')})
  --threads T           CPU pool threads (${countFlagHelp('threads')})
  --runtime r,...       node, bun, deno, ... (default ${D.runtimes.join(',')})
  --reps K              repetitions, each a fresh server (default ${D.reps})
  --iters N             SHA-256 chain length per cpu request (default ${D.cpuIters})
  --spin-iters N        cpu.js steps per tcp-compute reply (default ${DEFAULT_SPIN_ITERS})
  --load-threads N      load generator threads (default ${D.loadThreads})
  --host H              bind address of the servers (default 127.0.0.1; ::1 for IPv6);
                        the load goes to it (a wildcard bind through loopback). A
                        non-loopback bind gets a warning on stderr
  --format table|json  the table (default) or the cell records as JSON (--json)
  -o, --output FILE     write the result to FILE instead of stdout
${progressFlagsHelp}
${thresholdFlagHelp(serverMetrics)}
                        Checked on every ok cell.
${allowFailuresHelp}

Your own app instead of the built-in contract (README "Measure your own code"):
  --app PATH            a module that default-exports { fetch(request) } (Hono, Bun.serve,
                        Deno.serve, Workers style) or exports a Node listener: a named
                        export 'listener', or a default-exported function (req, res);
                        hosted by every --arch (pool threads and spawn need a fetch app)
${requestFlagsHelp}
  Before the load each request is sent once and its reply checked; under load every
  reply is checked against its own request's expectation (default: status 2xx).

${exitCodesHelp}`;

const flags = {
  ...serverCellFlags,
  arch: { type: 'string' },
  endpoint: { type: 'string' },
  rate: { type: 'string' },
  reps: { type: 'string' },
  host: { type: 'string' },
  app: { type: 'string' },
  ...requestFlags,
  ...outputFlags,
  ...progressFlags,
  ...thresholdFlags,
  ...allowFailuresFlag,
} as const;

export const command: Command = {
  name: 'bench-server',
  usage,
  flags,
  async run(argv) {
    const { values, tokens } = parseCommandArgs('bench-server', argv, flags);
    const output = outputOf('bench-server', values, ['table', 'json']);
    const thresholds = parseThresholdFlags(values.threshold, serverMetrics);
    const plan = planServerBench({
      architectures: optionalFlag(values.arch, parseNameListFlag),
      endpoints: optionalFlag(values.endpoint, parseNameListFlag),
      connections: optionalFlag(values.connections, (v) => parseIntListFlag('connections', v, 1, 10_000)),
      rates: optionalFlag(values.rate, (v) =>
        parseNameListFlag(v).map((r) => parseNumberFlag('rate', r, 0.1, 1_000_000)),
      ),
      durationS: optionalFlag(values.duration, (v) => parseDuration('duration', v, 0.1, 3600)),
      warmupS: optionalFlag(values.warmup, (v) => parseDuration('warmup', v, 0, 600)),
      workers: optionalFlag(values.workers, (v) => parseIntFlag('workers', v, 1, 256)),
      threads: optionalFlag(values.threads, (v) => parseIntFlag('threads', v, 1, 256)),
      runtimes: optionalFlag(values.runtime, parseNameListFlag),
      reps: optionalFlag(values.reps, (v) => parseIntFlag('reps', v, 1, 100)),
      cpuIters: optionalFlag(values.iters, (v) => parseIntFlag('iters', v, 1, MAX_ITERS)),
      spinIters: optionalFlag(values['spin-iters'], (v) => parseIntFlag('spin-iters', v, 1, 1e9)),
      loadThreads: optionalFlag(values['load-threads'], (v) => parseIntFlag('load-threads', v, 1, 64)),
      host: values.host,
      app: values.app,
      requests: requestsFromFlags(tokens),
    });
    if (plan.app) process.stderr.write(`app ${values.app ?? ''}: ${describeApp(plan.app.ref)}\n`);
    if (plan.host !== undefined) await warnHostExposure('conlab bench-server', plan.host);

    // The exit hook kills every server group first, then this says so, then the driver exits 128 + signal.
    const release = onInterrupt((signal) =>
      process.stderr.write(
        `\nconlab bench-server: interrupted by ${signal}; every server process was killed\n`,
      ),
    );

    const cells = await runServerBench(plan, {
      log: (line) => void process.stderr.write(`${line}\n`),
      onSecond: secondsPrinter(values, (line) => void process.stderr.write(`    ${line}\n`)),
      onCell: (cell) => {
        if (cell.status !== 'ok') process.stderr.write(`  → ${cell.status}: ${cell.reason ?? ''}\n`);
      },
    });
    const checked = cells.map((cell) => ({ cell, checks: checkCell(cell, thresholds) }));
    const gated =
      thresholds.length > 0
        ? { thresholds: checked.map(({ cell, checks }) => ({ cellKey: cell.cellKey, checks })) }
        : {};
    output.emit(output.format === 'json' ? jsonText({ cells, ...gated }) : renderServerTable(cells));
    release();
    return exitCode(
      'bench-server',
      [
        ...failedCells(cells),
        ...checked.flatMap(({ cell, checks }) => crossedThresholds(checks, recordLabel(cell))),
      ],
      { allowFailures: values['allow-failures'] ?? false },
    );
  },
};
