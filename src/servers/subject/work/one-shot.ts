/**
 * The child of the `spawn` architecture: started for ONE request, reads it as
 * JSON on stdin, answers it with the same router every other architecture
 * uses (work inline, store opened fresh: that start-up is the cost measured),
 * writes the answer as JSON on stdout and exits.
 *
 * Kept as small as the architecture allows, because every request pays for
 * what this process loads: the only static import is the router (with the
 * error codes and the /score parser it needs to decide any request); the
 * work modules (hashing, the SQLite store, the TCP loop) are imported only by
 * the requests that use them, so GET /hello loads 5 modules, not 13. The
 * compile cache reaches this process through NODE_COMPILE_CACHE, inherited
 * from the conlab process that started the server (src/core/compile-cache.ts),
 * so the modules are neither type-stripped nor compiled again per request.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { handle, preflight, type PlainRequest } from '../http/router.ts';
import type { KvReader } from './kv.ts';
import type { OneShotInput, OneShotOutput } from './spawn-responder.ts';

const isEagain = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'EAGAIN';

/**
 * stdin to its end. A blocking read of fd 0 first: this process has nothing
 * else to do, and it spares building the process.stdin stream (a few ms of a
 * ~35 ms process). A non-blocking stdin falls back to the stream.
 */
async function readStdin(): Promise<string> {
  try {
    return readFileSync(0, 'utf8');
  } catch (error) {
    if (!isEagain(error)) throw error;
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    process.stdin.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.once('error', reject);
  });
}

/** The answer on fd 1, by a blocking write for the same reason (the stream on a non-blocking stdout). */
function writeStdout(text: string): void {
  try {
    writeFileSync(1, text);
  } catch (error) {
    if (!isEagain(error)) throw error;
    process.stdout.write(text);
  }
}

async function answer(input: OneShotInput): Promise<OneShotOutput> {
  if (input.kind === 'tcp') {
    if (input.mode === 'echo') return { kind: 'tcp', replyB64: input.chunkB64 };
    const { spin } = await import('./compute.ts');
    spin(input.spinIters);
    return { kind: 'tcp', replyB64: Buffer.from('done').toString('base64') };
  }
  if (input.kind === 'app') {
    // Imported fresh for this one request: that start-up is what spawn measures (only app requests load these).
    const { loadApp } = await import('../app/app-module.ts');
    const { answerOnWire, appErrorLogger } = await import('../app/wire.ts');
    const app = await loadApp(input.app);
    if (app.kind !== 'fetch') throw new Error('a Node listener cannot answer a request handed to a child');
    const { bodyB64, ...request } = input.request;
    const response = await answerOnWire(
      app.fetch,
      { ...request, body: bodyB64 === null ? null : Buffer.from(bodyB64, 'base64') },
      appErrorLogger(`spawn child ${process.pid}`).log,
    );
    return {
      kind: 'app',
      response: {
        status: response.status,
        headers: response.headers,
        bodyB64: Buffer.from(response.body).toString('base64'),
      },
    };
  }
  const request: PlainRequest = { ...input.request, body: Buffer.from(input.request.bodyB64, 'base64') };
  // The parent already checked route, method and media type; checked again because this process trusts nothing piped to it.
  const early = preflight(request.method, request.url, request.contentType);
  if (early) return { kind: 'http', answer: early };
  let kv: KvReader | undefined;
  try {
    const result = await handle(request, {
      work: {
        cpu: async (seed, iters) => (await import('./compute.ts')).sha256Chain(seed, iters),
        io: async (key) => {
          if (kv === undefined) {
            const { openKv } = await import('./kv.ts');
            kv = await openKv(input.kvPath, input.kvKeys);
          }
          return kv.get(key);
        },
      },
      info: () => input.info,
    });
    return { kind: 'http', answer: result };
  } finally {
    kv?.close();
  }
}

try {
  const input = JSON.parse(await readStdin()) as OneShotInput;
  writeStdout(JSON.stringify(await answer(input)));
  // A user's app may leave timers or handles open that would keep this child alive after its one answer.
  if (input.kind === 'app') process.exit(0);
} catch (error) {
  process.stderr.write(`conlab spawn child: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
