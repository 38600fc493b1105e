// Negative numbers after a space (`-R -5`, `--items -1`) reach each command's range check, which
// says what is allowed, instead of node's parseArgs calling them "ambiguous".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinNegativeValues, parseCommandArgs } from '../../src/cli/args.ts';
import { LabError } from '../../src/core/errors.ts';
import { runConlab } from '../fixtures/cli.ts';

const options = {
  rate: { type: 'string', short: 'R' },
  items: { type: 'string' },
  json: { type: 'boolean' },
} as const;

test('a negative number after a value-taking option is joined to it; anything else is left alone', () => {
  assert.deepEqual(
    joinNegativeValues(['-R', '-5', '--items', '-1', '-R', '-0.5', '--items', '-.5'], options),
    ['-R-5', '--items=-1', '-R-0.5', '--items=-.5'],
  );
  // A flag after an option is still a flag (parseArgs then reports the missing value); so is a
  // negative number after a boolean, and everything after `--`.
  assert.deepEqual(joinNegativeValues(['--items', '--json'], options), ['--items', '--json']);
  assert.deepEqual(joinNegativeValues(['--json', '-5'], options), ['--json', '-5']);
  assert.deepEqual(joinNegativeValues(['--', '--items', '-1'], options), ['--', '--items', '-1']);
  assert.equal(parseCommandArgs('t', ['-R', '-5'], options).values.rate, '-5');
  assert.throws(
    () => parseCommandArgs('t', ['--items', '--json'], options),
    (error: unknown) => error instanceof LabError && error.code === 'LAB_E_USAGE',
  );
});

test('every command answers a negative value with its range error, exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['load', 'http://127.0.0.1:9/', '-R', '-5'], /LAB_E_BAD_PARAM: --rate '-5' is not a number in 0\.1\.\./],
    [
      ['load', 'http://127.0.0.1:9/', '-c', '-5'],
      /LAB_E_BAD_PARAM: --connections '-5' is not a whole number/,
    ],
    [['run', '--items', '-1'], /LAB_E_BAD_PARAM: --items '-1' is not a whole number in 1\.\./],
    [
      ['batch', '--workload', 'cpu.js', '--items', '-1'],
      /LAB_E_BAD_PARAM: --items '-1' is not a whole number in 1\.\./,
    ],
    [['pipeline', '--duration', '-1'], /LAB_E_BAD_PARAM: --duration '-1' is outside 0s\.\./],
    [['serve', '--port', '-1'], /LAB_E_BAD_PARAM: --port '-1' is not a whole number in 0\.\.65535/],
  ];
  for (const [args, expected] of cases) {
    const result = await runConlab(args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, expected, args.join(' '));
    assert.doesNotMatch(result.stderr, /ambiguous/);
  }
});
