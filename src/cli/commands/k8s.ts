/**
 * `conlab k8s load <target> [load flags] --generators N`: prints the
 * Kubernetes Job that runs the load as N shards (src/load/k8s-job.ts) and
 * the command that merges their results. It talks to no cluster; the load
 * flags are checked here exactly as `conlab load` checks them.
 */
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { ErrorCodes, LabError, errorText } from '../../core/errors.ts';
import { buildLoadJob, defaultJobName, gatherCommand, type LoadJobSpec } from '../../load/k8s-job.ts';
import { resolveLoadOptions } from '../../load/options.ts';
import { MAX_SHARDS, START_AT_MAX_AHEAD_MS, planShare } from '../../load/shard.ts';
import { parseTarget } from '../../load/target.ts';
import { parseCommandArgs, parseIntFlag } from '../args.ts';
import { jsonText, writeResult } from '../grammar.ts';
import type { Command } from '../command.ts';
import { buildOptions, loadFlags, parseSeconds } from './load.ts';

const usage = `usage: conlab k8s load <http://HOST:PORT/path | tcp://HOST:PORT> [load flags] --generators N [flags]

Prints a Kubernetes Job (batch/v1, Indexed) that runs the load as N shards,
one pod each: pod K runs 'conlab load … --shard-index K/N --start-at T
--allow-remote --json' with one agreed start T, so all shards measure the
same window. It then prints (as a comment, or on stderr with --format json)
the command that waits for the Job and merges the pods' logs with
'conlab merge -'. Nothing here talks to a cluster: apply it with kubectl.
See docs/DISTRIBUTED.md.

Load flags are those of 'conlab load' (-c, -R, -d, -n, -t, -H, --warmup, …),
for the whole load; each shard takes its exact share.

  --generators N        shards, one pod each (completions = parallelism = N)
  --image IMAGE         an image with conlab on its PATH (default conlab:latest)
  --namespace NS        namespace of the Job (default: kubectl's current one)
  --name NAME           Job name (default conlab-load-YYMMDD-HHMMSS, UTC)
  --start-in T          how far ahead the agreed start is, to let pods be
                        scheduled and pull the image (default 60s, at most 1h);
                        apply the Job before then: a later start is reported
  --cpu N               whole cores per generator pod, requests = limits
                        (default: the load's -t threads, 1 without -t)
  --memory Q            memory per pod, requests = limits (default 512Mi)
  --anti-affinity A     preferred (default): spread pods over nodes when they
                        suffice; required: never two generators on one node
  --ttl T               delete the finished Job after T (default 60m); gather
                        the logs before then
  --format F            yaml (default) or json
  -o, --output FILE     write the manifest to FILE instead of stdout

Example:
  conlab k8s load http://svc:8080/ -c 100 -R 5000 -d 30 --generators 4 > job.yaml
  kubectl apply -f job.yaml`;

const k8sFlags = {
  generators: { type: 'string' },
  image: { type: 'string' },
  namespace: { type: 'string' },
  name: { type: 'string' },
  'start-in': { type: 'string' },
  cpu: { type: 'string' },
  memory: { type: 'string' },
  'anti-affinity': { type: 'string' },
  ttl: { type: 'string' },
  format: { type: 'string' },
  // The manifest's destination: -o in a k8s command names its file, never a shard's.
  output: { type: 'string', short: 'o' },
} as const;

/** Set by the manifest for every shard; the user's own would contradict it. */
const managedLoadFlags = new Set(['shard', 'shard-index', 'start-at']);
/** Set by the manifest anyway; a user's copy is dropped, not doubled. */
const impliedLoadFlags = new Set(['json', 'allow-remote', 'progress', 'quiet']);

/** Margin on top of the start delay and the run for the Job's hard deadline (image pulls, shutdown). */
const DEADLINE_MARGIN_S = 600;
/** A load bounded by -n only has no planned length; its Job gets this long. */
const UNTIMED_RUN_S = 3600;

/** Splits argv into this command's flags and the load's own arguments, kept as the user wrote them. */
function splitArgs(argv: string[]): { k8sArgv: string[]; loadArgv: string[] } {
  let tokens;
  try {
    ({ tokens } = parseArgs({
      args: argv,
      options: { ...loadFlags, ...k8sFlags },
      strict: true,
      allowPositionals: true,
      tokens: true,
    }));
  } catch (error) {
    throw new LabError(ErrorCodes.USAGE, `k8s load: ${errorText(error)}`, {
      hint: "run 'conlab k8s --help' for the flags it takes",
    });
  }
  const k8sArgv: string[] = [];
  const loadArgv: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') loadArgv.push(token.value);
    if (token.kind !== 'option') continue;
    const words = token.value === undefined ? [token.rawName] : [token.rawName, token.value];
    if (token.name in k8sFlags) k8sArgv.push(...words);
    else if (managedLoadFlags.has(token.name)) {
      throw new LabError(ErrorCodes.USAGE, `--${token.name} is set by the Job for every shard`, {
        hint: 'drop it: pod K runs shard K of --generators, all starting --start-in from now',
      });
    } else if (!impliedLoadFlags.has(token.name)) loadArgv.push(...words);
  }
  return { k8sArgv, loadArgv };
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((name) => name === value);
  if (found === undefined) {
    throw new LabError(ErrorCodes.BAD_PARAM, `--${flag} '${value}' → allowed: ${allowed.join(', ')}`, {
      hint: `e.g. --${flag} ${allowed[0]}`,
    });
  }
  return found;
}

export const command: Command = {
  name: 'k8s',
  usage,
  flags: { load: { ...loadFlags, ...k8sFlags } },
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== 'load') {
      throw new LabError(ErrorCodes.USAGE, `k8s ${sub ?? ''}: the only k8s command is 'load'`.trimEnd(), {
        hint: 'conlab k8s load http://svc:8080/ -c 100 -d 30 --generators 4',
      });
    }
    // parseArgs tokens keep the user's spelling of every load flag; buildOptions then checks them as `conlab load` would.
    const { k8sArgv, loadArgv } = splitArgs(rest);
    const { values } = parseCommandArgs('k8s', k8sArgv, k8sFlags);
    const { options } = await buildOptions(loadArgv);
    if (values.generators === undefined) {
      throw new LabError(ErrorCodes.USAGE, 'k8s load needs --generators N', {
        hint: 'e.g. --generators 4 (one pod per shard)',
      });
    }
    const generators = parseIntFlag('generators', values.generators, 1, MAX_SHARDS);
    const resolved = resolveLoadOptions(options, parseTarget(options.target).protocol);
    // Every shard must be runnable (threads ≤ its connections) before a pod is scheduled for it.
    for (let index = 1; index <= generators; index++)
      planShare({ ...resolved, shard: { index, count: generators } });

    const startInS = parseSeconds('start-in', values['start-in'] ?? '60s', 1, START_AT_MAX_AHEAD_MS / 1000);
    const now = Date.now();
    const startAtEpochMs = Math.ceil((now + startInS * 1000) / 1000) * 1000;
    const runS = resolved.warmupS + (resolved.durationS ?? UNTIMED_RUN_S);
    const spec: LoadJobSpec = {
      name: values.name ?? defaultJobName(new Date(now)),
      namespace: values.namespace,
      image: values.image ?? 'conlab:latest',
      generators,
      loadArgs: loadArgv,
      startAtEpochMs,
      cpuCores: parseIntFlag('cpu', values.cpu ?? String(resolved.threads), 1, 256),
      memory: values.memory ?? '512Mi',
      ttlSecondsAfterFinished: Math.round(parseSeconds('ttl', values.ttl ?? '60m', 60, 7 * 86_400)),
      activeDeadlineSeconds: Math.ceil(startInS + runS + DEADLINE_MARGIN_S),
      antiAffinity: oneOf('anti-affinity', values['anti-affinity'] ?? 'preferred', ['preferred', 'required']),
      command: ['conlab', 'k8s', ...argv].join(' '),
    };
    const format = oneOf('format', values.format ?? 'yaml', ['yaml', 'json']);
    const manifest = buildLoadJob(spec).toJSON();
    const gather = gatherCommand(spec);
    if (format === 'json') {
      writeResult(jsonText(manifest), values.output);
      process.stderr.write(
        `# apply before ${new Date(startAtEpochMs).toISOString()}, then gather:\n${gather}\n`,
      );
    } else {
      writeResult(
        [
          `# conlab load as ${generators} shards (Indexed Job): every pod begins measuring at ${new Date(startAtEpochMs).toISOString()}.`,
          '# Apply it before then (kubectl apply -f FILE); a later start is measured and reported as lateness.',
          '# Once it has finished, gather and merge the shards:',
          `#   ${gather}`,
          // Every string double-quoted: kubectl's YAML 1.1 parser would read some plain scalars (times, yes/no) as other types.
          stringify(manifest, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 }),
        ].join('\n'),
        values.output,
      );
    }
    return 0;
  },
};
