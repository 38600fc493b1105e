/**
 * cpu.sha256: the SHA-256 chain of PROTOCOL.md §2 (h0 = utf8(seed),
 * h(k) = SHA-256 of the raw 32-byte h(k-1)). The hashing is native code, so
 * this is the workload where threads parallelise without the JIT mattering.
 * The server lab reuses sha256Chain for `POST /score {"mode":"cpu"}`.
 */
import { createHash } from 'node:crypto';
import { intParam, stringParam } from './params.ts';
import { allEqual } from './common.ts';
import type { Workload } from './types.ts';

export function sha256Chain(seed: string, iters: number): string {
  let digest: Buffer = Buffer.from(seed, 'utf8');
  for (let k = 0; k < iters; k++) digest = createHash('sha256').update(digest).digest();
  return digest.toString('hex');
}

export const cpuSha256: Workload = {
  name: 'cpu.sha256',
  kind: 'cpu',
  description:
    'SHA-256 chain of `iters` links from `seed` (native hashing); every item computes the same chain',
  params: {
    iters: { type: 'int', default: 100_000, min: 1, max: 10_000_000, description: 'links in the chain' },
    seed: {
      type: 'string',
      default: 'conlab',
      pattern: /^[\w.-]{1,64}$/,
      description: 'chain seed (1..64 word chars)',
    },
  },
  runSync: (params) => sha256Chain(stringParam(params, 'seed'), intParam(params, 'iters')),
  runAsync: (params) => Promise.resolve(sha256Chain(stringParam(params, 'seed'), intParam(params, 'iters'))),
  combine: (answers) => allEqual('cpu.sha256', answers),
};
