/**
 * `conlab preset <name>`: runs one of the seed experiments (src/seeds/presets)
 * as a stored run (`preset NAME` in the results store) and prints its table
 * and answers, its CSV (the seed's own columns) or JSON. `--list` names
 * every seed and the command that reproduces it.
 */
import { closeSync, openSync, writeFileSync } from 'node:fs';
import type { Command } from '../command.ts';
import { parseCommandArgs, parseIntListFlag, parseNameListFlag, printJson } from '../args.ts';
import { outputFlags, parseDuration } from '../grammar.ts';
import { allowFailuresFlag, allowFailuresHelp, exitCode, exitCodesHelp, failedCells } from '../exit.ts';
import { ErrorCodes, LabError, unknownName } from '../../core/errors.ts';
import { DEFAULT_STORE_PATH, openStore } from '../../results/store.ts';
import { resolveRuntime } from '../../runtimes/registry.ts';
import { otherSeedCommands, presetNames, presets } from '../../seeds/presets/registry.ts';
import { runPreset } from '../../seeds/presets/run.ts';
import { onInterrupt } from '../../core/subject/exit-hook.ts';

const formats = ['table', 'csv', 'json'] as const;

const usage = `usage: conlab preset <name> [flags]
       conlab preset --list

Runs a seed experiment in JavaScript (the seeds are in docs/SEEDS.md):
${presetNames.map((name) => `  ${name.padEnd(9)} ${presets[name]?.summary ?? ''}`).join('\n')}

  --quick          a scaled-down matrix and 1 s cells (seconds, for a first look and tests)
  --duration S     seconds of measured load per cell (overrides the preset's default)
  --archs LIST     only these architectures (from the preset's list)
  --clients LIST   client counts / concurrency levels (e.g. 1,8,32)
  --runtime R      node | bun | deno | system-node | path (default node)
  --format F       table (default: table and the answers) | csv (the seed's columns) | json
  -o, --output FILE  write there instead of stdout
  --csv FILE       also write the seed's CSV there (whatever --format is)
  --store PATH     results store (default ${DEFAULT_STORE_PATH})
${allowFailuresHelp}

Every cell is a fresh server process group, verified before it is measured;
a cell that fails is reported with its reason and the preset goes on (exit 1
at the end). CPU and memory are of the server's whole process tree. The run
is stored as 'preset NAME': conlab results, compare and report read it.

${exitCodesHelp}`;

const flags = {
  list: { type: 'boolean' },
  quick: { type: 'boolean' },
  duration: { type: 'string' },
  archs: { type: 'string' },
  clients: { type: 'string' },
  runtime: { type: 'string' },
  ...outputFlags,
  csv: { type: 'string' },
  store: { type: 'string' },
  ...allowFailuresFlag,
} as const;

export const command: Command = {
  name: 'preset',
  usage,
  flags,
  async run(argv) {
    const { values, positionals } = parseCommandArgs('preset', argv, flags, true);
    if (values.list) {
      const lines = presetNames.map(
        (name) => `${name}  seed ${presets[name]?.seed ?? ''}  ${presets[name]?.summary ?? ''}`,
      );
      for (const other of otherSeedCommands)
        lines.push(`seed ${other.seed}: ${other.summary}: ${other.command}`);
      process.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    }
    const [name, ...extra] = positionals;
    if (name === undefined || extra.length > 0) {
      throw new LabError(ErrorCodes.USAGE, 'preset: give exactly one preset name', {
        hint: `e.g. 'conlab preset seed004 --quick'; presets: ${presetNames.join(', ')}`,
      });
    }
    const preset = presets[name];
    if (!preset) throw unknownName(ErrorCodes.UNKNOWN_PRESET, 'preset', name, presetNames);
    const format = values.json ? 'json' : (values.format ?? 'table');
    if (!(formats as readonly string[]).includes(format))
      throw unknownName(ErrorCodes.BAD_PARAM, 'format', format, formats);
    let durationS: number | undefined;
    if (values.duration !== undefined) {
      durationS = parseDuration('duration', values.duration, 0, 3600);
      if (durationS <= 0) {
        throw new LabError(ErrorCodes.BAD_PARAM, `--duration '${values.duration}' must be more than 0`, {
          hint: 'give --duration a number of seconds above 0 (e.g. 2)',
        });
      }
    }
    const clients =
      values.clients === undefined ? undefined : parseIntListFlag('clients', values.clients, 1, 1000);
    const archs = values.archs === undefined ? undefined : parseNameListFlag(values.archs);
    if (archs?.length === 0)
      throw new LabError(ErrorCodes.BAD_PARAM, '--archs is empty', { hint: 'e.g. --archs single,prefork' });
    for (const [flag, path] of [
      ['output', values.output],
      ['csv', values.csv],
    ] as const) {
      if (path === undefined) continue;
      try {
        closeSync(openSync(path, 'a'));
      } catch (error) {
        throw new LabError(
          ErrorCodes.IO,
          `--${flag} '${path}' cannot be written (${(error as Error).message})`,
          {
            hint: 'give a file path in an existing directory you can write to',
          },
        );
      }
    }
    const runtime = resolveRuntime(values.runtime ?? 'node');
    const context = { runtime, quick: values.quick ?? false, durationS, archs, clients };
    // Everything the preset can refuse is refused here, before the store is touched or a server starts.
    const plan = preset.plan(context);
    const store = openStore(values.store ?? DEFAULT_STORE_PATH);
    // The exit hook kills every server group first, then this says so, then the driver exits 128 + signal.
    const release = onInterrupt((signal) =>
      process.stderr.write(`\nconlab preset: interrupted by ${signal}; every server process was killed\n`),
    );
    try {
      const { runId, report } = await runPreset(preset, plan, context, {
        store,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      const text =
        format === 'csv'
          ? report.csv
          : format === 'json'
            ? `${JSON.stringify(report.json, null, 2)}\n`
            : report.text;
      if (values.csv !== undefined) writeFileSync(values.csv, report.csv);
      if (values.output !== undefined) writeFileSync(values.output, text);
      else if (format === 'json') printJson(report.json);
      else process.stdout.write(text);
      // stderr: stdout carries the seed's own format, unchanged.
      process.stderr.write(`run ${runId} (preset ${preset.name}) stored in ${store.path}\n`);
      return exitCode('preset', failedCells(store.loadCells(runId, { withParts: false })), {
        allowFailures: values['allow-failures'] ?? false,
      });
    } finally {
      release();
      store.close();
    }
  },
};
