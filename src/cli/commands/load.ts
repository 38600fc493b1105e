/**
 * `conlab load <url | tcp://host:port>`: flags → LoadOptions → runLoad →
 * wrk-like text or --json. Nothing here measures; src/load does.
 */
import { readFile } from 'node:fs/promises';
import { ErrorCodes, LabError } from '../../core/errors.ts';
import { LOAD_LIMITS } from '../../load/options.ts';
import { parseShard, parseStartAt } from '../../load/shard.ts';
import { parseTarget } from '../../load/target.ts';
import type { LoadOptions, LoadRequest, LoadResult } from '../../load/types.ts';
import { parseHeaders, requestFlags, requestsFromFlags } from '../request-flags.ts';
import {
  parseCommandArgs,
  parseIntFlag,
  parseNumberFlag,
  parseThresholdFlags,
  thresholdFlagHelp,
  thresholdFlags,
} from '../args.ts';
import {
  jsonText,
  outputFlags,
  outputOf,
  parseDuration,
  type Output,
  type OutputFormat,
} from '../grammar.ts';
import { LoadProgress, loadHeader, progressFlags, progressWanted } from '../progress.ts';
import { DEFAULT_LOAD_ERROR_GATE, loadGateValues, loadMetrics } from '../../results/thresholds.ts';
import { checkThresholds, parseThreshold } from '../../stats/thresholds.ts';
import type { Command } from '../command.ts';
import { crossedThresholds, exitCode, exitCodesHelp, type Problem } from '../exit.ts';

const usage = `usage: conlab load <http://127.0.0.1:PORT/path | tcp://127.0.0.1:PORT> [flags]

Drives a server with HTTP/1.1 (keep-alive, pipelining) or the raw TCP protocol
and reports throughput, latency percentiles (µs) and errors by kind. Every
reply is verified; a wrong reply is an error, never a success.

  -c, --connections N     connections (default 10)
  -d, --duration T        measured time: 10, 10s, 500ms, 1m (default 10s unless -n)
  -n, --requests N        stop after N requests (with -d: whichever comes first)
  -R, --rate N            open loop: N requests/s evenly scheduled; latency is
                          measured from each request's scheduled time (corrected)
                          and from its actual send time (uncorrected)
  -t, --threads N         generator threads (default 1); connections are split among them
      --pipelining N      HTTP requests in flight per connection (default 1)
      --method M          HTTP method (default GET)
  -H, --header 'k: v'     extra request header (repeatable)
      --body TEXT         request body
      --body-file PATH    request body from a file
      --expect-status S   2 = any 2xx (default), or an exact status like 404
      --expect-body TEXT  the exact body every reply must have
      --expect-body-regex RE  a regular expression every reply body must match
      --request 'M /path' a mix instead of one request (repeatable): -H, --body,
                          --body-file, --expect-* and --weight N after a --request
                          belong to it; weights 3 and 1 send A A B A, repeated. The
                          URL then gives only the host and port
      --tcp-mode M        tcp:// only: echo (reply = payload, default) or compute (reply 'done')
      --tcp-payload TEXT  tcp:// only: bytes sent per request (default ping)
      --new-connection    open a new connection for every request (seed 000's client)
      --timeout T         per-request timeout (default 10s)
      --warmup T          load before measuring, not recorded (default 0)
      --format F          table (default), json (histograms included), openmetrics
                          (Prometheus gauges) or hdr (HdrHistogram log, V2 compressed)
      --json              the same as --format json
  -o, --output FILE       write the result to FILE instead of stdout
      --progress          live progress on stderr (header, a line per second) even
                          when stderr is not a terminal or CI is set
  -q, --quiet             no live progress (default off unless stderr is a terminal)
      --allow-remote      permit a target outside 127.0.0.0/8 and ::1
      --shard I/N         run shard I of N (1-based) of this load: its exact share of
                          -c, -R and -n; the JSON result is made for 'conlab merge'
      --shard-index K/N   the same, 0-based (Kubernetes' JOB_COMPLETION_INDEX)
      --start-at TIME     begin the measured window at TIME: +10s (from now, rounded
                          up to a whole second), RFC 3339 with a zone, or epoch ms;
                          past: start at once and say how late; > 1 h ahead: refused
${thresholdFlagHelp(loadMetrics)}

Requests still unanswered when the window closes are counted in the latency
at their age then (a lower bound) and reported; when more than 1% of the
measured requests were unanswered and older than the completed requests' p99,
the result is marked stalled.

A load fails (exit 1) when no request succeeded, when the run stalled (over 1% of
requests never answered in the window), or when more than
${DEFAULT_LOAD_ERROR_GATE.slice('errors<='.length)} of the requests failed (the default gate '${DEFAULT_LOAD_ERROR_GATE}'; a
--threshold on errors in % replaces it). Every attempt refused (nothing
listens there) is bad input: exit 2.

${exitCodesHelp}`;

const flags = {
  connections: { type: 'string', short: 'c' },
  duration: { type: 'string', short: 'd' },
  requests: { type: 'string', short: 'n' },
  rate: { type: 'string', short: 'R' },
  threads: { type: 'string', short: 't' },
  pipelining: { type: 'string' },
  method: { type: 'string' },
  header: { type: 'string', short: 'H', multiple: true },
  body: { type: 'string' },
  'body-file': { type: 'string' },
  'expect-status': { type: 'string' },
  'expect-body': { type: 'string' },
  'expect-body-regex': { type: 'string' },
  request: requestFlags.request,
  weight: requestFlags.weight,
  'tcp-mode': { type: 'string' },
  'tcp-payload': { type: 'string' },
  'new-connection': { type: 'boolean' },
  timeout: { type: 'string' },
  warmup: { type: 'string' },
  ...outputFlags,
  ...progressFlags,
  'allow-remote': { type: 'boolean' },
  shard: { type: 'string' },
  'shard-index': { type: 'string' },
  'start-at': { type: 'string' },
} as const;

/** The flags of `conlab load`, for commands that pass a load on (conlab k8s load); gates stay with the command. */
export const loadFlags = flags;
const commandFlags = { ...flags, ...thresholdFlags } as const;

/** Seconds from '10', '10s', '500ms' or '2m' (the one duration syntax; kept here for conlab k8s). */
export const parseSeconds = parseDuration;

type LoadValues = ReturnType<typeof parseCommandArgs<typeof commandFlags>>['values'];

/** One request: -H, --method, --body or --body-file, --expect-*; --weight only means something in a mix. */
async function applySingleRequest(options: LoadOptions, values: LoadValues): Promise<void> {
  if (values.weight !== undefined) {
    throw new LabError(ErrorCodes.USAGE, '--weight is a share of a mix: it belongs after a --request', {
      hint: "e.g. --request 'GET /a' --weight 3 --request 'GET /b'",
    });
  }
  options.headers = parseHeaders(values.header);
  if (values.method !== undefined) options.method = values.method;
  if (values.body !== undefined && values['body-file'] !== undefined) {
    throw new LabError(ErrorCodes.USAGE, '--body and --body-file are exclusive', {
      hint: 'give one of them',
    });
  }
  if (values.body !== undefined) options.body = values.body;
  if (values['body-file'] !== undefined) {
    const path = values['body-file'];
    try {
      options.body = new Uint8Array(await readFile(path));
    } catch (error) {
      throw new LabError(ErrorCodes.IO, `cannot read --body-file '${path}': ${(error as Error).message}`, {
        hint: 'give the path of a readable file',
        exitCode: 2,
      });
    }
  }
  if (values['expect-status'] !== undefined) {
    options.expectStatus = parseIntFlag('expect-status', values['expect-status'], 1, 599);
  }
  if (values['expect-body'] !== undefined) options.expectBody = values['expect-body'];
  if (values['expect-body-regex'] !== undefined) options.expectBodyRegex = values['expect-body-regex'];
}

/**
 * A mix (`--request` given): each request took its own -H, --body and
 * --expect-* (requestsFromFlags, in command-line order), so the load has no
 * headers of its own; the URL gives the host and port only, so a path on it
 * would be silently unused: refused.
 */
function applyMix(options: LoadOptions, mix: LoadRequest[], values: LoadValues): void {
  if (values.method !== undefined) {
    throw new LabError(
      ErrorCodes.USAGE,
      '--method does not apply to a mix: each --request names its method',
      {
        hint: "e.g. --request 'POST /score'",
      },
    );
  }
  const { protocol, path } = parseTarget(options.target);
  if (protocol === 'http' && path !== '/') {
    throw new LabError(
      ErrorCodes.USAGE,
      `with --request the URL gives only host and port, not the path '${path}'`,
      {
        hint: `give the path in each --request, e.g. --request 'GET ${path}'`,
      },
    );
  }
  options.mix = mix;
}

/** `conlab load` arguments → LoadOptions (every flag checked); also used by `conlab k8s load`. */
export async function buildOptions(
  argv: string[],
): Promise<{ options: LoadOptions; json: boolean; output: Output; progress: boolean; thresholds: string[] }> {
  const { values, positionals, tokens } = parseCommandArgs('load', argv, commandFlags, true);
  if (positionals.length !== 1) {
    throw new LabError(ErrorCodes.USAGE, `load takes exactly one target, got ${positionals.length}`, {
      hint: 'e.g. conlab load http://127.0.0.1:8080/hello -c 50 -d 5',
    });
  }
  const target = positionals[0] ?? '';
  const [cMin, cMax] = LOAD_LIMITS.connections;
  const options: LoadOptions = {
    target,
    connections:
      values.connections === undefined ? 10 : parseIntFlag('connections', values.connections, cMin, cMax),
    allowRemote: values['allow-remote'] ?? false,
    connectionPerRequest: values['new-connection'] ?? false,
  };
  if (values.duration !== undefined)
    options.durationS = parseSeconds('duration', values.duration, ...LOAD_LIMITS.durationS);
  if (values.requests !== undefined)
    options.requests = parseIntFlag('requests', values.requests, ...LOAD_LIMITS.requests);
  if (values.rate !== undefined)
    options.rateRps = parseNumberFlag('rate', values.rate, ...LOAD_LIMITS.rateRps);
  if (values.threads !== undefined)
    options.threads = parseIntFlag('threads', values.threads, ...LOAD_LIMITS.threads);
  if (values.pipelining !== undefined) {
    options.pipelining = parseIntFlag('pipelining', values.pipelining, ...LOAD_LIMITS.pipelining);
  }
  if (values.timeout !== undefined) {
    options.timeoutMs = Math.round(
      parseSeconds('timeout', values.timeout, 0.001, LOAD_LIMITS.timeoutMs[1] / 1000) * 1000,
    );
  }
  if (values.warmup !== undefined)
    options.warmupS = parseSeconds('warmup', values.warmup, ...LOAD_LIMITS.warmupS);
  if (values.request !== undefined) applyMix(options, requestsFromFlags(tokens) ?? [], values);
  else await applySingleRequest(options, values);
  const isTcp = target.startsWith('tcp:');
  const tcpMode = values['tcp-mode'];
  if (tcpMode !== undefined && tcpMode !== 'echo' && tcpMode !== 'compute') {
    throw new LabError(ErrorCodes.BAD_PARAM, `--tcp-mode '${tcpMode}' → allowed: echo, compute`, {
      hint: 'echo: the reply is the payload; compute: the reply is done',
    });
  }
  if (!isTcp && (tcpMode !== undefined || values['tcp-payload'] !== undefined)) {
    throw new LabError(ErrorCodes.USAGE, '--tcp-mode and --tcp-payload apply to tcp:// targets only', {
      hint: 'use a tcp://127.0.0.1:PORT target or drop the flag',
    });
  }
  if (values['tcp-payload'] !== undefined) options.tcpPayload = values['tcp-payload'];
  if (tcpMode === 'compute') options.tcpExpect = 'done';
  if (values.shard !== undefined && values['shard-index'] !== undefined) {
    throw new LabError(ErrorCodes.USAGE, '--shard and --shard-index are exclusive', {
      hint: '--shard 1/4 and --shard-index 0/4 name the same shard; give one',
    });
  }
  if (values.shard !== undefined) options.shard = parseShard(values.shard, 1, 'shard');
  if (values['shard-index'] !== undefined)
    options.shard = parseShard(values['shard-index'], 0, 'shard-index');
  if (values['start-at'] !== undefined) options.startAtEpochMs = parseStartAt(values['start-at'], Date.now());
  const output = outputOf('load', values, ['table', 'json', 'openmetrics', 'hdr']);
  const progress = progressWanted(values, process.stderr, process.env);
  return {
    options,
    json: output.format === 'json',
    output,
    progress,
    thresholds: values.threshold ?? [],
  };
}

/** A load result in the format asked for (load and merge print the same). */
export async function loadResultText(
  result: LoadResult,
  format: OutputFormat,
  startedAtMs: number,
): Promise<string> {
  // Renderers load on use: `conlab load --help` loads none of them.
  switch (format) {
    case 'json':
      return jsonText(result);
    case 'openmetrics':
      return (await import('../../results/openmetrics.ts')).loadResultToOpenMetrics(result);
    case 'hdr':
      return (await import('../../results/hdr-log.ts')).loadResultToHdrLog(
        result,
        result.clock?.startEpochMs ?? startedAtMs,
      );
    default:
      return (await import('../../load/render.ts')).renderLoadText(result);
  }
}

/** Zero successes is never a quiet success: refused everywhere means nothing listens (bad input). */
export function nothingSucceeded(result: LoadResult): LabError | undefined {
  if (result.requests > 0 || result.interrupted) return undefined;
  if (result.errorsTotal === 0) {
    return new LabError(ErrorCodes.VERIFY, 'no request completed in the measured time', {
      hint: 'the server never answered; raise --timeout or -d, or check the server',
      exitCode: 1,
    });
  }
  const kinds = Object.entries(result.errors)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const refusedOnly = Object.keys(result.errors).every((kind) => kind === 'refused' || kind === 'connect');
  if (refusedOnly) {
    return new LabError(
      ErrorCodes.CONNECT,
      `nothing accepted a connection at ${result.options.target} (${kinds})`,
      {
        hint: 'start the server first, or check the port',
      },
    );
  }
  return new LabError(ErrorCodes.VERIFY, `no request succeeded: ${result.errorsTotal} errors (${kinds})`, {
    hint: 'see the error samples above; check the URL, the method and the --expect-* flags',
    exitCode: 1,
  });
}

/**
 * A stalled run (over `limitShare` unanswered, src/load/verdicts.ts) fails like errors do: its latency
 * is a lower bound, not a measurement. The limit comes from the engine module, loaded only for a run.
 */
function stalled(result: LoadResult, limitShare: number): LabError | undefined {
  const censored = result.censored;
  if (censored === undefined || !result.warnings.includes('stalled')) return undefined;
  return new LabError(
    ErrorCodes.STALLED,
    `${censored.stalled} of ${result.requests + result.errorsTotal + censored.requests} measured requests (${(censored.stalledShare * 100).toFixed(1)}%) were never answered within the window (limit ${limitShare * 100}%); the oldest waited at least ${(censored.oldestAgeUs / 1e6).toFixed(2)} s`,
    {
      hint: 'the server stalled or fell behind the offered load; the percentiles above count those requests at their age (a lower bound)',
      exitCode: 1,
    },
  );
}

export const command: Command = {
  name: 'load',
  usage,
  flags: commandFlags,
  async run(argv) {
    // The engine loads only when a run starts (`conlab load --help` needs none of it), while the flags are read.
    const engine = import('../../load/index.ts');
    const startedAtMs = Date.now();
    const { options, output, progress, thresholds } = await buildOptions(argv);
    const gates = parseThresholdFlags(thresholds, loadMetrics);
    // The default error gate applies unless the user set an error-rate gate of their own.
    const defaultGate = gates.some((gate) => gate.key === 'errorRate')
      ? []
      : [parseThreshold(DEFAULT_LOAD_ERROR_GATE)];
    // The header goes out before the generator starts; each second comes from its merged per-second report.
    const live = progress ? new LoadProgress(process.stderr, loadHeader(options)) : undefined;
    // Anything but the terminal table is a document on stdout: side notes go to stderr.
    const json = output.format !== 'table';
    const { runLoad, STALLED_SHARE } = await engine;
    const controller = new AbortController();
    // First Ctrl-C ends the run early and prints what was measured; a second one exits at once.
    const onSigint = (): void => controller.abort();
    process.once('SIGINT', onSigint);
    let result: LoadResult;
    try {
      result = await runLoad(options, {
        signal: controller.signal,
        onProgress: live ? (point) => live.second(point) : undefined,
      });
    } finally {
      live?.end();
      process.removeListener('SIGINT', onSigint);
    }
    const late = result.clock?.startLateMs ?? 0;
    if (late > 0 && json) {
      // The text form says it too; with --json stdout stays one JSON document.
      process.stderr.write(
        `conlab load: --start-at had passed when the generator was ready; started ${late.toFixed(0)} ms late\n`,
      );
    }
    const values = loadGateValues(result);
    const checks = checkThresholds(gates, values);
    output.emit(
      output.format === 'json' && gates.length > 0
        ? jsonText({ ...result, thresholds: checks })
        : await loadResultText(result, output.format, startedAtMs),
    );
    const failure = nothingSucceeded(result) ?? stalled(result, STALLED_SHARE);
    if (failure) throw failure;
    const problems: Problem[] = checkThresholds(defaultGate, values)
      .filter((check) => check.passed === false)
      .map((check) => ({
        kind: 'load',
        text: `${check.text} of the requests failed (the default gate ${DEFAULT_LOAD_ERROR_GATE}; --threshold 'errors<X%' sets another)`,
      }));
    return exitCode('load', [...problems, ...crossedThresholds(checks)]);
  },
};
