/**
 * `conlab merge`: shard results (files, or `-` for the concatenated logs of
 * several generators on stdin) → one result printed like `conlab load`'s,
 * optionally stored as a run. The merging itself is src/load/merge.ts.
 */
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { ErrorCodes, LabError } from '../../core/errors.ts';
import { mergeShards } from '../../load/merge.ts';

import { parseShardResults, type ShardInput } from '../../load/result-input.ts';
import { parseCommandArgs } from '../args.ts';
import { outputFlags, outputOf } from '../grammar.ts';
import type { Command } from '../command.ts';
import { loadResultText, nothingSucceeded } from './load.ts';

const usage = `usage: conlab merge <shard.json ...| -> [--json] [--store[=PATH]]

Merges the results of 'conlab load … --shard I/N --json' (one per shard, run
on one or many machines) into one result, printed like 'conlab load' prints
one: histograms merged count by count (never averaged percentiles), seconds
aligned on wall-clock time, errors summed. It says how many shards it merged,
which are missing, on how many hosts they ran and how far apart they started.

  -                   read the results from stdin: concatenated documents or
                      NDJSON, e.g. the logs of a Kubernetes Job's pods; lines
                      that are not JSON (a failed shard's error) are skipped
                      and named on stderr
      --format F      table (default), json, openmetrics or hdr (as conlab load)
      --json          the same as --format json
  -o, --output FILE   write the result to FILE instead of stdout
      --store[=PATH]  also keep it as a run in the results store (default
                      conlab-results/results.db) that 'conlab report' draws

Results of another target, mode, load or shard count, a shard given twice,
histograms of another precision or a file that is not a shard result are
refused (exit 2). A missing shard is named in the result (exit 1).

Exit status: 0 merged every shard, 1 some shard missing or no request
succeeded, 2 bad input.`;

/** `--store` alone means the default store; parseArgs needs a value, so give it one. */
function expandStoreFlag(argv: string[]): string[] {
  return argv.map((arg) => (arg === '--store' ? '--store=conlab-results/results.db' : arg));
}

async function readInputs(paths: string[]): Promise<{ inputs: ShardInput[]; stray: string[] }> {
  const inputs: ShardInput[] = [];
  const stray: string[] = [];
  if (paths.filter((path) => path === '-').length > 1) {
    throw new LabError(ErrorCodes.USAGE, 'stdin (-) can be read once', { hint: 'give - once' });
  }
  for (const path of paths) {
    let content: string;
    try {
      content = path === '-' ? await text(process.stdin) : await readFile(path, 'utf8');
    } catch (error) {
      throw new LabError(ErrorCodes.IO, `cannot read '${path}': ${(error as Error).message}`, {
        hint: 'give the path of a readable shard result',
      });
    }
    const parsed = parseShardResults(content, path === '-' ? 'stdin' : path, path === '-');
    inputs.push(...parsed.inputs);
    stray.push(...parsed.stray);
  }
  return { inputs, stray };
}

const flags = { store: { type: 'string' }, ...outputFlags } as const;

export const command: Command = {
  name: 'merge',
  usage,
  flags,
  async run(argv) {
    const { values, positionals } = parseCommandArgs('merge', expandStoreFlag(argv), flags, true);
    const output = outputOf('merge', values, ['table', 'json', 'openmetrics', 'hdr']);
    if (positionals.length === 0) {
      throw new LabError(ErrorCodes.USAGE, 'merge needs shard results to merge', {
        hint: 'e.g. conlab merge shard-1.json shard-2.json, or kubectl logs … | conlab merge -',
      });
    }
    const { inputs, stray } = await readInputs(positionals);
    for (const line of stray)
      process.stderr.write(`conlab merge: skipped a line that is not JSON: ${line}\n`);
    const result = mergeShards(inputs);
    output.emit(await loadResultText(result, output.format, result.clock?.startEpochMs ?? Date.now()));
    if (values.store !== undefined) {
      const { openStore } = await import('../../results/store.ts');
      const { storeLoadResult } = await import('../../results/load-record.ts');
      const { captureEnvironment } = await import('../../monitor/environment.ts');
      const store = openStore(values.store);
      try {
        // The shards were measured on other machines: this one's stability now is no evidence about them.
        const runId = storeLoadResult(store, result, captureEnvironment([], { measuresHere: false }));
        process.stderr.write(
          `conlab merge: stored as run ${runId} in ${values.store} (conlab report ${runId})\n`,
        );
      } finally {
        store.close();
      }
    }
    const missing = result.merge?.missingShards ?? [];
    if (missing.length > 0) {
      process.stderr.write(
        `conlab merge: ${missing.length} of ${result.merge?.shardCount} shards missing (${missing.join(', ')}); the result covers the others only\n`,
      );
      return 1;
    }
    const failure = nothingSucceeded(result);
    if (failure) throw failure;
    return 0;
  },
};
