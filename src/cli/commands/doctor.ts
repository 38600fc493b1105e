/**
 * `conlab doctor`: what makes numbers unstable on this machine right now
 * (the checks are src/monitor/doctor.ts; every run stores the same list in
 * its environment).
 */
import type { Command } from '../command.ts';
import { parseCommandArgs, parseIntFlag } from '../args.ts';
import { jsonText, outputFlags, outputOf, parseDuration } from '../grammar.ts';
import { renderTextTable } from '../../core/text-table.ts';
import { stabilityChecks, type StabilityCheck } from '../../monitor/doctor.ts';
import { readKernelUnits } from '../../monitor/proc.ts';
import { availableParallelism } from 'node:os';

const usage = `usage: conlab doctor [--sample-ms MS] [--steadiness T] [--format table|json] [-o FILE]

Checks what makes benchmark numbers unstable here, as pyperf's 'system show'
does: CPU governor and turbo boost, load average and the busiest processes
right now, steal time (VMs), the cgroup CPU quota, SMT siblings, swap in use,
CPU isolation, ASLR and transparent huge pages, and whether the CPU is as
fast as it has been: a short floating-point kernel against the fastest time
seen on this machine (kept in conlab's cache folder), which is how a shared
physical core shows on a VM; and whether its speed holds from moment to
moment: integer, floating-point, memory and runtime (JSON) kernels take
turns in 10 ms slices, and a kernel whose half-second buckets ran ≥ 1.25×
its usual for a second or more hit a slow spell from outside. Each check
says ok, or warn with why it matters and a hint. Every run stores the same
checks in its environment, but for the steadiness trace (the HTML report
lists the warnings).

  --sample-ms MS   how long to watch the busiest processes and steal time
                   (default 500, 0..10000; 0 skips them)
  --steadiness T   how long to trace the kernels' steadiness (default 3s,
                   0..10m; 0 skips it). Spells last seconds: 30s sees more
  --format F       table (default) or json (the checks; --json is the same)
  -o, --output FILE  write the result to FILE instead of stdout`;

export function renderDoctor(checks: StabilityCheck[]): string {
  const table = renderTextTable(
    [
      { header: 'check', value: (check: StabilityCheck) => check.name },
      { header: 'verdict', value: (check: StabilityCheck) => check.verdict },
      { header: 'found', value: (check: StabilityCheck) => check.value },
    ],
    checks,
  );
  // Warnings first with why and what to do; then the hints of the checks that passed (how to do better).
  const warned = checks.flatMap((check) =>
    check.verdict === 'warn'
      ? [`  ${check.name}: ${check.why ?? ''}`, ...(check.hint ? [`    → ${check.hint}`] : [])]
      : [],
  );
  const better = checks.flatMap((check) =>
    check.verdict === 'ok' && check.hint ? [`  ${check.name}: ${check.hint}`] : [],
  );
  const notes = [
    ...(warned.length > 0 ? ['why:', ...warned] : []),
    ...(better.length > 0 ? ['to do better:', ...better] : []),
  ];
  const warnings = checks.filter((check) => check.verdict === 'warn').length;
  const summary =
    warnings === 0
      ? 'nothing found that would make numbers unstable'
      : `${warnings} warning${warnings === 1 ? '' : 's'}: numbers measured now may move for the reasons above`;
  return `${table}\n${notes.join('\n')}\n\n${summary}\n`;
}

const flags = {
  'sample-ms': { type: 'string' },
  steadiness: { type: 'string' },
  ...outputFlags,
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export const command: Command = {
  name: 'doctor',
  usage,
  flags,
  run(argv) {
    const { values } = parseCommandArgs('doctor', argv, flags);
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return Promise.resolve(0);
    }
    const output = outputOf('doctor', values, ['table', 'json']);
    const sampleMs =
      values['sample-ms'] === undefined ? 500 : parseIntFlag('sample-ms', values['sample-ms'], 0, 10_000);
    const checks = stabilityChecks(availableParallelism(), {
      sampleMs,
      selfPid: process.pid,
      clockTicksPerSec: readKernelUnits().clockTicksPerSec,
      cpuSpeed: true,
      steadinessMs:
        values.steadiness === undefined
          ? 3000
          : parseDuration('steadiness', values.steadiness, 0, 600) * 1000,
    });
    output.emit(output.format === 'json' ? jsonText({ checks }) : renderDoctor(checks));
    return Promise.resolve(0);
  },
};
