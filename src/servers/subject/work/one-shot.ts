/**
 * The child of the `spawn` architecture: started for ONE request, reads it as
 * JSON on stdin, answers it with the same router every other architecture
 * uses (work inline, store opened fresh: that start-up is the cost measured),
 * writes the answer as JSON on stdout and exits.
 */
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
  process.stdout.write(JSON.stringify(await answer(input)));
} catch (error) {
  process.stderr.write(`conlab spawn child: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
