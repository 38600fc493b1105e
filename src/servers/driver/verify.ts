/**
 * Before a server is measured it must answer every endpoint correctly: the
 * PROTOCOL.md §2 vectors, the io store, the identity lines and one error
 * case. A server that fails here is a failed cell, not a number.
 */
import { ErrorCodes, LabError } from '../../core/errors.ts';
import type { ServerConfig } from '../config.ts';
import { expectedKv } from '../subject/work/kv.ts';
import { WHOAMI_RE } from './endpoints.ts';
import { httpCall, tcpCall } from './http-client.ts';

/** PROTOCOL.md §2 SHA-256 chain vectors. */
export const SHA_VECTORS: { seed: string; iters: number; digest: string }[] = [
  { seed: 'conlab', iters: 1, digest: '15cb1ff47900c43a800e1dbeeeedddd96f7a8a740615c13abf242d2dff24e698' },
  { seed: 'conlab', iters: 2, digest: '3605bcd1a7a4ec8f6554cac17f721caf662eccac9d4dca8f34d41d74ae206382' },
  { seed: 'conlab', iters: 1000, digest: '7f398101c624d74ac9b1b0278cfe6e67ea1ad200d21974dad410e6561637c052' },
];

function mismatch(what: string, expected: string, got: string): LabError {
  return new LabError(ErrorCodes.VERIFY, `${what}: expected ${expected}, got ${got.slice(0, 200)}`, {
    exitCode: 1,
  });
}

export async function verifyHttpServer(
  baseUrl: string,
  config: ServerConfig,
  runtimeLabel: string,
): Promise<void> {
  const json = { 'content-type': 'application/json' };
  const expectExact = async (
    path: string,
    init: Parameters<typeof httpCall>[2],
    body: string,
  ): Promise<void> => {
    const response = await httpCall(baseUrl, path, init);
    if (response.status !== 200 || response.body !== body) {
      throw mismatch(
        `${init?.method ?? 'GET'} ${path}`,
        `200 ${body}`,
        `${response.status} ${response.body}`,
      );
    }
  };
  await expectExact('/health', {}, '{"ok":true}');
  await expectExact('/hello', {}, 'hello');
  const whoami = await httpCall(baseUrl, '/whoami');
  if (whoami.status !== 200 || !WHOAMI_RE.test(whoami.body)) {
    throw mismatch('GET /whoami', `200 matching ${WHOAMI_RE.source}`, `${whoami.status} ${whoami.body}`);
  }
  const info = await httpCall(baseUrl, '/info');
  const parsed = JSON.parse(info.body) as { architecture?: unknown; runtime?: unknown };
  if (info.status !== 200 || parsed.architecture !== config.arch || parsed.runtime !== runtimeLabel) {
    throw mismatch('GET /info', `architecture ${config.arch} on ${runtimeLabel}`, info.body);
  }
  for (const vector of SHA_VECTORS) {
    await expectExact(
      '/score',
      {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ mode: 'cpu', iters: vector.iters, seed: vector.seed }),
      },
      JSON.stringify({ mode: 'cpu', iters: vector.iters, digest: vector.digest }),
    );
  }
  const { key, val } = expectedKv(42);
  await expectExact(
    '/score',
    { method: 'POST', headers: json, body: JSON.stringify({ mode: 'io', key }) },
    JSON.stringify({ mode: 'io', key, val }),
  );
  const bad = await httpCall(baseUrl, '/score', {
    method: 'POST',
    headers: json,
    body: '{"mode":"cpu","iters":-1,"seed":"x"}',
  });
  if (bad.status !== 400 || !bad.body.includes('"code":"LAB_E_')) {
    throw mismatch('POST /score iters=-1', '400 with a LAB_E_ code', `${bad.status} ${bad.body}`);
  }
}

export async function verifyTcpServer(host: string, port: number, config: ServerConfig): Promise<void> {
  const expected = config.tcpMode === 'echo' ? 'ping' : 'done';
  const reply = await tcpCall(host, port, 'ping', 60_000);
  if (reply !== expected)
    throw mismatch(`TCP ${config.tcpMode} reply to 'ping'`, `'${expected}'`, `'${reply}'`);
}
