/**
 * The endpoints a server cell can be measured on, each as the request the
 * load generator sends and the answer it must get back (exact body or regex):
 * a wrong answer counts as an error, never as throughput.
 */
import { ErrorCodes, unknownName } from '../../core/errors.ts';
import type { LoadOptions } from '../../load/types.ts';
import { sha256Chain } from '../subject/work/compute.ts';
import { expectedKv } from '../subject/work/kv.ts';

export const endpointNames = ['hello', 'cpu', 'io', 'whoami', 'tcp-echo', 'tcp-compute'] as const;
export type EndpointName = (typeof endpointNames)[number];

export const WHOAMI_RE = /^ppid=(\d+) pid=(\d+) thread=(\d+) uri=(\S+) from=(\S+)$/;

export interface EndpointParams {
  /** SHA-256 chain length per cpu request. */
  cpuIters: number;
  /** Index of the key read per io request. */
  ioKeyIndex: number;
}

export const DEFAULT_ENDPOINT_PARAMS: EndpointParams = { cpuIters: 10_000, ioKeyIndex: 42 };

export function parseEndpoint(name: string): EndpointName {
  if ((endpointNames as readonly string[]).includes(name)) return name as EndpointName;
  throw unknownName(ErrorCodes.BAD_PARAM, 'endpoint', name, endpointNames);
}

/** The endpoint of a cell that serves a user's app (the requests are the app's: see app-requests.ts). */
export const APP_ENDPOINT = 'app';
/** What a cell measures: one of the contract's endpoints, or a user's app. */
export type CellEndpoint = EndpointName | typeof APP_ENDPOINT;

export function endpointProtocol(endpoint: CellEndpoint): 'http' | 'tcp' {
  return endpoint.startsWith('tcp-') ? 'tcp' : 'http';
}

/** The part of LoadOptions that says what to send and what must come back. */
export type RequestSpec = Pick<
  LoadOptions,
  | 'method'
  | 'headers'
  | 'body'
  | 'expectStatus'
  | 'expectBody'
  | 'expectBodyRegex'
  | 'tcpPayload'
  | 'tcpExpect'
> & { path: string };

export function requestSpec(endpoint: EndpointName, params: EndpointParams): RequestSpec {
  const json = { 'content-type': 'application/json' };
  switch (endpoint) {
    case 'hello':
      return { path: '/hello', method: 'GET', expectStatus: 200, expectBody: 'hello' };
    case 'whoami':
      return { path: '/whoami', method: 'GET', expectStatus: 200, expectBodyRegex: WHOAMI_RE.source };
    case 'cpu': {
      const seed = 'conlab';
      const body = JSON.stringify({ mode: 'cpu', iters: params.cpuIters, seed });
      const digest = sha256Chain(seed, params.cpuIters);
      const expectBody = JSON.stringify({ mode: 'cpu', iters: params.cpuIters, digest });
      return { path: '/score', method: 'POST', headers: json, body, expectStatus: 200, expectBody };
    }
    case 'io': {
      const { key, val } = expectedKv(params.ioKeyIndex);
      const body = JSON.stringify({ mode: 'io', key });
      return {
        path: '/score',
        method: 'POST',
        headers: json,
        body,
        expectStatus: 200,
        expectBody: JSON.stringify({ mode: 'io', key, val }),
      };
    }
    case 'tcp-echo':
      return { path: '', tcpPayload: 'ping', tcpExpect: 'ping' };
    case 'tcp-compute':
      return { path: '', tcpPayload: 'ping', tcpExpect: 'done' };
  }
}
