/**
 * A request mix as one generator thread sends it: one pre-built Buffer and
 * one verifier per request, and the order they go out in. The order is a
 * fixed smooth weighted round-robin (nginx's: each turn every request gains
 * its weight, the one with the most credit goes and pays the total), so
 * weights 3 and 1 send A A B A, repeated: exact proportions in any whole
 * cycle, spread out rather than bunched, and the same in every run.
 */
import type { ParsedResponse } from './http-parser.ts';
import type { ResolvedLoadOptions } from './options.ts';
import { buildMixRequest } from './request.ts';
import type { ResolvedTarget } from './target.ts';
import type { ErrorKind } from './types.ts';
import { httpFailureSample, httpVerifier, statusMatcher } from './verify.ts';

export interface RequestMix {
  /** The bytes of request i. */
  requests: Buffer[];
  /** "POST /resize": what an error sample names. */
  labels: string[];
  /** Index of the next request to send. */
  next(): number;
  /** Checks a reply against the expectation of request `index`. */
  verify(index: number, response: ParsedResponse): ErrorKind | null;
  /** Whether `status` passes request `index`'s check (a failing one keeps its first body bytes for the sample). */
  statusOk(index: number, status: number): boolean;
  /** Words for a reply request `index` refused, naming the request ("POST /resize: status 500, expected 2xx; ..."). */
  failureSample(index: number, response: ParsedResponse, kind: 'status' | 'body'): string;
}

/** The indices of one whole cycle of a smooth weighted round-robin over `weights` (length = their sum). */
export function weightedOrder(weights: readonly number[]): Uint16Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const order = new Uint16Array(total);
  const credit = weights.map(() => 0);
  for (let turn = 0; turn < total; turn++) {
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      credit[i] = (credit[i] ?? 0) + (weights[i] ?? 0);
      if ((credit[i] ?? 0) > (credit[best] ?? 0)) best = i;
    }
    credit[best] = (credit[best] ?? 0) - total;
    order[turn] = best;
  }
  return order;
}

export function buildMix(options: ResolvedLoadOptions, target: ResolvedTarget): RequestMix | undefined {
  const mix = options.mix;
  if (mix === undefined || target.protocol !== 'http') return undefined;
  const verifiers = mix.map((request) => httpVerifier(request));
  const statusChecks = mix.map((request) => statusMatcher(request.expectStatus));
  const samples = mix.map((request) => httpFailureSample(request));
  const labels = mix.map((request) => `${request.method} ${request.path}`);
  const order = weightedOrder(mix.map((request) => request.weight));
  let cursor = 0;
  return {
    requests: mix.map((request) => buildMixRequest(request, options, target)),
    labels,
    next() {
      const index = order[cursor] ?? 0;
      cursor = cursor + 1 === order.length ? 0 : cursor + 1;
      return index;
    },
    verify: (index, response) => {
      const verify = verifiers[index];
      return verify === undefined ? 'other' : verify(response);
    },
    statusOk: (index, status) => statusChecks[index]?.(status) ?? false,
    failureSample: (index, response, kind) =>
      `${labels[index] ?? ''}: ${samples[index]?.(response, kind) ?? kind}`,
  };
}
