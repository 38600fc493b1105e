/**
 * The child of the `spawn` architecture: started for ONE request, reads it as
 * JSON on stdin, answers it with the same router every other architecture
 * uses (work inline, store opened fresh: that start-up is the cost measured),
 * writes the answer as JSON on stdout and exits.
 */
import { loadApp } from '../app/app-module.ts';
import { answerOnWire, appErrorLogger } from '../app/wire.ts';
import { handle, preflight, type PlainRequest } from '../http/router.ts';
import { openKv } from './kv.ts';
import { sha256Chain, spin } from './compute.ts';
import type { OneShotInput, OneShotOutput } from './spawn-responder.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function answer(input: OneShotInput): Promise<OneShotOutput> {
  if (input.kind === 'tcp') {
    if (input.mode === 'echo') return { kind: 'tcp', replyB64: input.chunkB64 };
    spin(input.spinIters);
    return { kind: 'tcp', replyB64: Buffer.from('done').toString('base64') };
  }
  if (input.kind === 'app') {
    // Imported fresh for this one request: that start-up is what spawn measures.
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
  let kv: Awaited<ReturnType<typeof openKv>> | undefined;
  try {
    const result = await handle(request, {
      work: {
        cpu: (seed, iters) => sha256Chain(seed, iters),
        io: async (key) => {
          kv ??= await openKv(input.kvPath, input.kvKeys);
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
  // Exit once the answer is out: an app may leave timers or handles open that would keep this child alive.
  process.stdout.write(JSON.stringify(await answer(input)), () => process.exit(0));
} catch (error) {
  process.stderr.write(`conlab spawn child: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
