/**
 * cpu.primes: count primes below `limit` by trial division with odd
 * divisors. Trial division (not a sieve) on purpose: seed 003's CPU job is
 * seconds of plain arithmetic, and a sieve of 10^6 would finish in a few ms.
 * Known counts: below 10^6 there are 78,498 primes; below 10^5, 9,592.
 */
import { intParam } from './params.ts';
import { allEqual } from './common.ts';
import type { Workload } from './types.ts';

export function countPrimesBelow(limit: number): number {
  if (limit <= 2) return 0;
  let count = 1; // 2
  for (let n = 3; n < limit; n += 2) {
    let prime = true;
    for (let d = 3; d * d <= n; d += 2) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

export const cpuPrimes: Workload = {
  name: 'cpu.primes',
  kind: 'cpu',
  description:
    'count primes below `limit` by trial division; every item answers the same count (78498 below 10^6)',
  params: {
    limit: {
      type: 'int',
      default: 1_000_000,
      min: 2,
      max: 100_000_000,
      description: 'count primes below this',
    },
  },
  runSync: (params) => countPrimesBelow(intParam(params, 'limit')),
  runAsync: (params) => Promise.resolve(countPrimesBelow(intParam(params, 'limit'))),
  combine: (answers) => allEqual('cpu.primes', answers),
};
