/**
 * `conlab bench-server`: measure server architectures side by side. Each
 * cell (runtime × arch × endpoint × load level) runs through runServerCell:
 * a fresh verified server per repetition, our load generator, the monitor on
 * the server's process tree. Unsupported combinations are skipped with the
 * reason; a failed cell is reported and the rest still run.
 */
import type { Command } from '../command.ts';
import {
  parseCommandArgs,
  parseIntFlag,
  parseIntListFlag,
  parseNameListFlag,
  parseNumberFlag,
  printJson,
} from '../args.ts';
import { ErrorCodes, LabError } from '../../core/errors.ts';
import { resolveRuntime, type RuntimeSpec } from '../../runtimes/registry.ts';
import type { ServerCell } from '../../results/record.ts';
import { archNames, type ArchName } from '../../servers/config.ts';
import { parseArchName, resolveServerConfig } from '../../servers/resolve.ts';
import { warnHostExposure } from '../bind-warning.ts';
import { endpointNames, parseEndpoint, type EndpointName } from '../../servers/driver/endpoints.ts';
import { runServerCell } from '../../servers/driver/run-cell.ts';
import { renderServerTable } from '../../servers/driver/table.ts';
import { MAX_ITERS } from '../../servers/subject/http/score-request.ts';

const usage = `conlab bench-server [flags]

Start each architecture fresh, verify every endpoint (PROTOCOL.md vectors),
warm up, load it with conlab's generator (every reply verified), monitor the
server's whole process tree, stop it and check nothing is left.

  --arch a,b,...        ${archNames.join(', ')} (default single)
  --endpoint E,...      ${endpointNames.join(', ')} (default hello)
  --connections 1,10    closed loop connection counts (default 10)
  --rate R,...          open loop request rates (req/s) instead, over --connections (one value)
  --duration S          measured seconds per repetition (default 5)
  --warmup S            warm-up seconds before measuring (default 1)
  --workers N           processes/threads of multi-unit architectures (default: cores)
  --threads T           CPU pool threads (offload, prefork)
  --runtime r,...       node, bun, deno, ... (default node)
  --reps K              repetitions, each a fresh server (default 1)
  --iters N             SHA-256 chain length per cpu request (default 10000)
  --spin-iters N        cpu.js steps per tcp-compute reply (default 10000000)
  --load-threads N      load generator threads (default 1)
  --host H              bind address of the servers (default 127.0.0.1; ::1 for IPv6);
                        the load goes to it (a wildcard bind through loopback). A
                        non-loopback bind gets a warning on stderr
  --json                print the cell records as JSON

Exit status: 0 when every cell is ok or skipped (unsupported), 1 when one failed.`;

export const command: Command = {
  name: 'bench-server',
  summary: 'measure server architectures under load (req/s, latency, CPU, memory)',
  usage,
  async run(argv) {
    const { values } = parseCommandArgs('bench-server', argv, {
      arch: { type: 'string' },
      endpoint: { type: 'string' },
      connections: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      workers: { type: 'string' },
      threads: { type: 'string' },
      runtime: { type: 'string' },
      reps: { type: 'string' },
      iters: { type: 'string' },
      'spin-iters': { type: 'string' },
      'load-threads': { type: 'string' },
      host: { type: 'string' },
      json: { type: 'boolean' },
    });
    const archs: ArchName[] = parseNameListFlag(values.arch ?? 'single').map(parseArchName);
    const endpoints: EndpointName[] = parseNameListFlag(values.endpoint ?? 'hello').map(parseEndpoint);
    if (archs.length === 0 || endpoints.length === 0) {
      throw new LabError(ErrorCodes.USAGE, '--arch and --endpoint need at least one name', {
        hint: 'e.g. --arch single,cluster --endpoint cpu',
      });
    }
    const rates =
      values.rate === undefined
        ? []
        : parseNameListFlag(values.rate).map((r) => parseNumberFlag('rate', r, 0.1, 1_000_000));
    const connectionList = parseIntListFlag('connections', values.connections ?? '10', 1, 10_000);
    if (rates.length > 0 && connectionList.length > 1) {
      throw new LabError(
        ErrorCodes.USAGE,
        '--rate takes one --connections value (the connections the rate is spread over)',
        {
          hint: 'e.g. --rate 100,200 --connections 50',
        },
      );
    }
    const levels =
      rates.length > 0
        ? rates.map((rate) => ({ connections: connectionList[0] ?? 10, rateRps: rate }))
        : connectionList.map((c) => ({ connections: c, rateRps: undefined }));
    const durationS = parseNumberFlag('duration', values.duration ?? '5', 0.1, 3600);
    const warmupS = parseNumberFlag('warmup', values.warmup ?? '1', 0, 600);
    const workers =
      values.workers === undefined ? undefined : parseIntFlag('workers', values.workers, 1, 256);
    const threads =
      values.threads === undefined ? undefined : parseIntFlag('threads', values.threads, 1, 256);
    const reps = parseIntFlag('reps', values.reps ?? '1', 1, 100);
    const cpuIters = parseIntFlag('iters', values.iters ?? '10000', 1, MAX_ITERS);
    const spinIters =
      values['spin-iters'] === undefined
        ? undefined
        : parseIntFlag('spin-iters', values['spin-iters'], 1, 1e9);
    const loadThreads = parseIntFlag('load-threads', values['load-threads'] ?? '1', 1, 64);
    const runtimes: RuntimeSpec[] = parseNameListFlag(values.runtime ?? 'node').map((name) =>
      resolveRuntime(name),
    );
    const host = values.host === undefined ? undefined : resolveServerConfig({ host: values.host }).host;
    if (host !== undefined) await warnHostExposure('conlab bench-server', host);

    const interrupt = (): void => {
      process.stderr.write('conlab bench-server: interrupted; stopping servers\n');
      // The launcher's exit hook kills every server process group still running.
      process.exit(130);
    };
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);

    const cells: ServerCell[] = [];
    for (const runtime of runtimes) {
      for (const endpoint of endpoints) {
        for (const arch of archs) {
          for (const level of levels) {
            const cell = await runServerCell(
              {
                arch,
                workers,
                threads,
                endpoint,
                connections: level.connections,
                ...(level.rateRps === undefined ? {} : { rateRps: level.rateRps }),
                durationS,
                warmupS,
                reps,
                loadThreads,
                ...(host === undefined ? {} : { host }),
                endpointParams: { cpuIters },
                ...(spinIters === undefined ? {} : { spinIters }),
              },
              runtime,
              { log: (line) => void process.stderr.write(`${line}\n`) },
            );
            cells.push(cell);
            if (cell.status !== 'ok') process.stderr.write(`  → ${cell.status}: ${cell.reason ?? ''}\n`);
          }
        }
      }
    }
    if (values.json) printJson({ cells });
    else process.stdout.write(renderServerTable(cells));
    return cells.some((cell) => cell.status === 'failed') ? 1 : 0;
  },
};
