/**
 * `conlab serve`: run one server architecture under one runtime until
 * SIGINT/SIGTERM. The subject runs as its own process group (started by the
 * same launcher the bench driver uses); this command prints its readiness
 * as the "listening ..." line and stops it — and every process of the
 * architecture — on a signal.
 */
import type { Command } from '../command.ts';
import { optionalFlag, parseCommandArgs, parseIntFlag } from '../args.ts';
import { ErrorCodes, LabError } from '../../core/errors.ts';
import { resolveRuntime } from '../../runtimes/registry.ts';
import { takeOverSignals } from '../../core/subject/exit-hook.ts';
import { countFlagHelp, resolveServerConfig } from '../../servers/resolve.ts';
import { architectures, baselineArchitecture } from '../../servers/subject/arch/registry.ts';
import { launchServer } from '../../servers/driver/launch.ts';
import { warnExposure } from '../bind-warning.ts';
import { checkApp, resolveAppPath } from '../../servers/driver/app-check.ts';
import { describeApp } from '../../servers/subject/app/app-module.ts';
import { MAX_ITERS } from '../../servers/subject/http/score-request.ts';

const usage = `conlab serve [flags]

Serve the HTTP contract (POST /score, GET /hello /whoami /health /info) or,
with --tcp, the raw TCP protocol of seed 000, or with --app your own app,
under one architecture.

  --arch A              ${architectures.names().join(' | ')} (default ${baselineArchitecture.name})
  --workers N           serving units, processes or threads (${countFlagHelp('workers')})
  --threads T           CPU pool threads per unit (${countFlagHelp('threads')})
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
  --app PATH            serve this module instead: a default export with fetch(request)
                        (Hono, Bun.serve, Deno.serve, Workers style), or a Node listener
                        (a named export 'listener', or a default-exported (req, res));
                        prints "app PATH: fetch handler (default export)" first, and
                        the listening line ends with front=node:http|Bun.serve|Deno.serve

Prints one line when ready, e.g.
  listening http://127.0.0.1:40123 pid=4242 arch=cluster workers=2 threads=0 runtime=node@24.21.0
(the address actually bound, IPv6 in brackets: http://[::1]:40123; pid is the
architecture's primary), or LAB_E_UNSUPPORTED "unsupported on
RUNTIME@VERSION (reason)" and exit status 2 (this combination cannot run here).
SIGINT/SIGTERM stop every process of the architecture and print "stopped pid=N restarts=K".`;

const flags = {
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
  app: { type: 'string' },
} as const;

export const command: Command = {
  name: 'serve',
  usage,
  flags,
  async run(argv) {
    const { values } = parseCommandArgs('serve', argv, flags);
    const runtime = resolveRuntime(values.runtime ?? 'node');
    // Checked under the runtime that will serve it, before anything starts (exit 2 when it cannot be hosted).
    const app = values.app === undefined ? undefined : checkApp(resolveAppPath(values.app, '--app'), runtime);
    const config = resolveServerConfig({
      arch: values.arch,
      workers: optionalFlag(values.workers, (v) => parseIntFlag('workers', v, 1, 256)),
      threads: optionalFlag(values.threads, (v) => parseIntFlag('threads', v, 1, 256)),
      port: optionalFlag(values.port, (v) => parseIntFlag('port', v, 0, 65535)),
      host: values.host,
      tcp: values.tcp ?? false,
      mode: values.mode,
      spinIters: optionalFlag(values['spin-iters'], (v) => parseIntFlag('spin-iters', v, 1, MAX_ITERS * 100)),
      kvKeys: optionalFlag(values['kv-keys'], (v) => parseIntFlag('kv-keys', v, 1, 1_000_000)),
      requestTimeoutMs: optionalFlag(values['request-timeout-ms'], (v) =>
        parseIntFlag('request-timeout-ms', v, 100, 600_000),
      ),
      stopOnStdinEnd: true,
      ...(app ? { app } : {}),
    });
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
      });
    }
    const server = outcome.server;
    // A reader of our stdout that has gone (a script killed, a closed pipe) must not crash the stop:
    // the "stopped" line is then written to nobody, and the server still stops and reaps its units.
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
    if (app) process.stdout.write(`app ${values.app ?? ''}: ${describeApp(app)}\n`);
    // Made from the server's ready message: users and scripts read this line.
    process.stdout.write(`${server.line}\n`);
    warnExposure('conlab serve', server.ready.host);
    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (waitMs?: number): Promise<number> =>
        server.stop(waitMs).then((report) => {
          if (report.restarts !== undefined)
            process.stdout.write(`stopped pid=${server.pid} restarts=${report.restarts}\n`);
          if (report.leftovers.length > 0) {
            process.stderr.write(`conlab serve: killed leftover processes ${report.leftovers.join(', ')}\n`);
          }
          return report.graceful && report.leftovers.length === 0 ? 0 : 1;
        });
      // The first SIGINT/SIGTERM stops the server gracefully; a second one kills it at once (the exit hook).
      const release = takeOverSignals(() => {
        stopping = true;
        void stop().then((code) => {
          release();
          resolve(code);
        });
      });
      void server.exited.then(({ code }) => {
        if (stopping) return;
        stopping = true;
        release();
        process.stderr.write(`conlab serve: the server exited on its own (code ${code})\n`);
        void stop(1000).then(() => resolve(1));
      });
    });
  },
};
