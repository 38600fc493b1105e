/**
 * `conlab serve`: run one server architecture under one runtime until
 * SIGINT/SIGTERM. The subject runs as its own process group (started by the
 * same launcher the bench driver uses); this command relays its readiness
 * line and stops it — and every process of the architecture — on a signal.
 */
import type { Command } from '../command.ts';
import { parseCommandArgs, parseIntFlag } from '../args.ts';
import { ErrorCodes, LabError } from '../../core/errors.ts';
import { resolveRuntime } from '../../runtimes/registry.ts';
import { archNames } from '../../servers/config.ts';
import { resolveServerConfig } from '../../servers/resolve.ts';
import { launchServer } from '../../servers/driver/launch.ts';
import { warnExposure } from '../bind-warning.ts';
import { MAX_ITERS } from '../../servers/subject/http/score-request.ts';

const usage = `conlab serve [flags]

Serve the HTTP contract (POST /score, GET /hello /whoami /health /info) or,
with --tcp, the raw TCP protocol of seed 000, under one architecture.

  --arch A              ${archNames.join(' | ')} (default single)
  --workers N           processes/threads that accept (cluster, reuseport, reuseport-threads, prefork; default: cores)
  --threads T           CPU pool threads (offload: default cores; prefork: per process, default 2)
  --port P              port (default 0 = pick one; the chosen port is printed)
  --host H              bind address (default 127.0.0.1; ::1 for IPv6 loopback). Any
                        address other machines can reach (0.0.0.0, ::, a LAN address)
                        gets a warning on stderr: the servers have no authentication
  --runtime R           node | bun | deno | system-node | path (default node)
  --tcp                 raw TCP protocol instead of HTTP
  --mode echo|compute   TCP reply: the bytes back, or "done" after --spin-iters of cpu.js (default echo)
  --spin-iters N        work per TCP compute reply (default 10000000, the seed's loop)
  --kv-keys N           keys in the io store (default 1000)
  --request-timeout-ms N  deadline for a whole HTTP request (default 10000)

Prints one line when ready, e.g.
  listening http://127.0.0.1:40123 pid=4242 arch=cluster workers=2 threads=0 runtime=node@24.21.0
(the address actually bound, IPv6 in brackets: http://[::1]:40123; pid is the
architecture's primary), or "unsupported on RUNTIME@VERSION (reason)"
and exit status 3. SIGINT/SIGTERM stop every process of the architecture.`;

export const command: Command = {
  name: 'serve',
  summary: 'serve the HTTP/TCP contract under one server architecture',
  usage,
  async run(argv) {
    const { values } = parseCommandArgs('serve', argv, {
      arch: { type: 'string' },
      workers: { type: 'string' },
      threads: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      runtime: { type: 'string' },
      tcp: { type: 'boolean' },
      mode: { type: 'string' },
      'spin-iters': { type: 'string' },
      'kv-keys': { type: 'string' },
      'request-timeout-ms': { type: 'string' },
    });
    const config = resolveServerConfig({
      arch: values.arch,
      workers: values.workers === undefined ? undefined : parseIntFlag('workers', values.workers, 1, 256),
      threads: values.threads === undefined ? undefined : parseIntFlag('threads', values.threads, 1, 256),
      port: values.port === undefined ? undefined : parseIntFlag('port', values.port, 0, 65535),
      host: values.host,
      tcp: values.tcp ?? false,
      mode: values.mode,
      spinIters:
        values['spin-iters'] === undefined
          ? undefined
          : parseIntFlag('spin-iters', values['spin-iters'], 1, MAX_ITERS * 100),
      kvKeys:
        values['kv-keys'] === undefined
          ? undefined
          : parseIntFlag('kv-keys', values['kv-keys'], 1, 1_000_000),
      requestTimeoutMs:
        values['request-timeout-ms'] === undefined
          ? undefined
          : parseIntFlag('request-timeout-ms', values['request-timeout-ms'], 100, 600_000),
      stopOnStdinEnd: true,
    });
    const runtime = resolveRuntime(values.runtime ?? 'node');
    const outcome = await launchServer(config, runtime, { inheritStderr: true }).catch((error: unknown) => {
      if (error instanceof LabError && error.message.includes('EADDRINUSE')) {
        throw new LabError(ErrorCodes.BAD_PARAM, `port ${config.port} on ${config.host} is already in use`, {
          hint: 'pick another --port, or --port 0 to let the system choose (the chosen port is printed)',
          cause: error,
        });
      }
      throw error;
    });
    if (outcome.kind === 'unsupported') {
      throw new LabError(ErrorCodes.UNSUPPORTED, outcome.reason, {
        hint: `pick another --arch or --runtime (reuseport-style architectures need a runtime whose node:net honours reusePort)`,
        exitCode: 3,
      });
    }
    const server = outcome.server;
    process.stdout.write(`${server.line}\n`);
    warnExposure('conlab serve', server.address);
    server.child.stdout?.on('data', (chunk: Buffer) => {
      // After readiness the subject only prints its "stopped" line; relay it.
      const text = chunk.toString();
      if (!text.startsWith('listening ')) process.stdout.write(text);
    });
    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (): void => {
        if (stopping) return;
        stopping = true;
        void server.stop().then((report) => {
          if (report.leftovers.length > 0) {
            process.stderr.write(`conlab serve: killed leftover processes ${report.leftovers.join(', ')}\n`);
          }
          resolve(report.graceful && report.leftovers.length === 0 ? 0 : 1);
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      server.child.once('exit', (code) => {
        if (stopping) return;
        process.stderr.write(`conlab serve: the server exited on its own (code ${code})\n`);
        stopping = true;
        void server.stop(1000).then(() => resolve(1));
      });
    });
  },
};
