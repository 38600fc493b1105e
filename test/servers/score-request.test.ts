/** POST /score validation as a pure function: exact accept/reject on fixed inputs. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseScoreRequest } from '../../src/servers/subject/http/score-request.ts';
import { isHttpError } from '../../src/servers/subject/http/http-error.ts';

const parse = (text: string) => parseScoreRequest(Buffer.from(text));

it('accepts the two documented shapes', () => {
  assert.deepEqual(parse('{"mode":"cpu","iters":80000,"seed":"abc"}'), {
    mode: 'cpu',
    iters: 80000,
    seed: 'abc',
  });
  assert.deepEqual(parse('{"mode":"io","key":"k0042"}'), { mode: 'io', key: 'k0042' });
  assert.deepEqual(parse('{"mode":"cpu","iters":10000000,"seed":""}'), {
    mode: 'cpu',
    iters: 10_000_000,
    seed: '',
  });
});

it('rejects each bad input with 400 and the right code', () => {
  const cases: [string, string][] = [
    ['not json', 'LAB_E_BAD_JSON'],
    ['', 'LAB_E_BAD_JSON'],
    ['null', 'LAB_E_BAD_PARAM'],
    ['"cpu"', 'LAB_E_BAD_PARAM'],
    ['{"mode":"cpu","iters":10000001,"seed":"a"}', 'LAB_E_BAD_PARAM'],
    ['{"mode":"cpu","iters":1e3,"seed":"a","x":1}', 'LAB_E_BAD_PARAM'],
    ['{"mode":"io"}', 'LAB_E_BAD_PARAM'],
    ['{"mode":"io","key":""}', 'LAB_E_BAD_PARAM'],
    ['{"key":"k1"}', 'LAB_E_BAD_PARAM'],
  ];
  for (const [body, code] of cases) {
    const result = parse(body);
    assert.ok(isHttpError(result), body);
    assert.equal(result.status, 400, body);
    assert.equal(result.code, code, body);
    assert.match(result.message, /→.*→/);
  }
});
