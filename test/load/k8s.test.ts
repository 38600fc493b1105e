/**
 * `conlab k8s load`: the Job manifest it prints is accepted by the
 * Kubernetes OpenAPI schema (kubernetes-models), has the shape the issue
 * asks for, and its pods' arguments are a valid `conlab load` for every
 * completion index, whose shards add up to the whole load. No cluster.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { parse } from 'yaml';
import { buildOptions } from '../../src/cli/commands/load.ts';
import { buildLoadJob, type LoadJobSpec } from '../../src/load/k8s-job.ts';
import { resolveLoadOptions } from '../../src/load/options.ts';
import { planShare } from '../../src/load/shard.ts';
import { runConlab } from '../fixtures/cli.ts';

interface Container {
  command: string[];
  args: string[];
  image: string;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}

/** The parts of the manifest the checks read (the schema test covers the rest). */
interface JobShape {
  metadata: { name: string; namespace?: string };
  spec: {
    completionMode: string;
    completions: number;
    parallelism: number;
    backoffLimit: number;
    ttlSecondsAfterFinished: number;
    activeDeadlineSeconds: number;
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        restartPolicy: string;
        containers: Container[];
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution?: {
              podAffinityTerm: {
                topologyKey: string;
                labelSelector: { matchLabels: Record<string, string> };
              };
            }[];
            requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey: string }[];
          };
        };
      };
    };
  };
}

test('the manifest of the issue’s example passes the Kubernetes schema and has the asked shape', async () => {
  const before = Date.now();
  const run = await runConlab([
    'k8s',
    'load',
    'http://svc:8080/',
    '-c',
    '100',
    '-R',
    '5000',
    '-d',
    '30',
    '--generators',
    '4',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const manifest = parse(run.stdout) as JobShape;
  new Job(manifest as unknown as ConstructorParameters<typeof Job>[0]).validate();

  const { spec } = manifest;
  assert.equal(spec.completionMode, 'Indexed');
  assert.equal(spec.completions, 4);
  assert.equal(spec.parallelism, 4);
  assert.equal(spec.backoffLimit, 0);
  assert.ok(spec.ttlSecondsAfterFinished > 0);
  assert.ok(spec.activeDeadlineSeconds >= 60 + 30);
  const pod = spec.template.spec;
  assert.equal(pod.restartPolicy, 'Never');
  const container = pod.containers[0] as Container;
  assert.deepEqual(container.resources.requests, { cpu: '1', memory: '512Mi' });
  assert.deepEqual(
    container.resources.limits,
    container.resources.requests,
    'Guaranteed QoS: requests = limits',
  );
  const spread =
    pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.podAffinityTerm;
  assert.equal(spread?.topologyKey, 'kubernetes.io/hostname');
  for (const [key, value] of Object.entries(spread?.labelSelector.matchLabels ?? {})) {
    assert.equal(spec.template.metadata.labels[key], value, 'the anti-affinity selects the Job’s own pods');
  }
  assert.deepEqual(container.command, ['conlab']);
  const args = container.args;
  assert.equal(args[0], 'load');
  assert.ok(args.includes('--allow-remote') && args.includes('--json'));
  assert.equal(args[args.indexOf('--shard-index') + 1], '$(JOB_COMPLETION_INDEX)/4');
  const startAt = Date.parse(args[args.indexOf('--start-at') + 1] ?? '');
  assert.ok(startAt >= before + 59_000 && startAt <= Date.now() + 61_000, 'about 60 s ahead by default');
  assert.match(
    run.stdout,
    /^# .*kubectl wait .*job\/conlab-load-\d{6}-\d{6}.*kubectl logs -l conlab.dev\/job=conlab-load-\d{6}-\d{6} --tail=-1 \| conlab merge -$/m,
  );

  // Every pod's arguments are a valid conlab load; together the shards are the whole load.
  let connections = 0;
  let rate = 0;
  for (let index = 0; index < 4; index++) {
    const podArgs = args.slice(1).map((arg) => arg.replace('$(JOB_COMPLETION_INDEX)', String(index)));
    const { options } = await buildOptions(podArgs);
    assert.deepEqual(options.shard, { index: index + 1, count: 4 });
    assert.equal(options.allowRemote, true);
    assert.equal(options.startAtEpochMs, startAt);
    const share = planShare(resolveLoadOptions(options, 'http'));
    connections += share.connections;
    rate += share.rateRps ?? 0;
  }
  assert.equal(connections, 100);
  assert.ok(Math.abs(rate - 5000) < 1e-6);
});

test('the schema check is real: it rejects manifests a cluster would reject', () => {
  const spec: LoadJobSpec = {
    name: 'conlab-load-test',
    namespace: 'lab',
    image: 'conlab:latest',
    generators: 2,
    loadArgs: ['http://svc/', '-c', '4'],
    startAtEpochMs: Date.now() + 60_000,
    cpuCores: 2,
    memory: '1Gi',
    ttlSecondsAfterFinished: 600,
    activeDeadlineSeconds: 900,
    antiAffinity: 'required',
  };
  const good = buildLoadJob(spec).toJSON() as JobShape;
  assert.equal(good.metadata.namespace, 'lab');
  assert.equal(good.spec.template.spec.containers[0]?.resources.limits.cpu, '2');
  assert.equal(
    good.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution?.[0]
      ?.topologyKey,
    'kubernetes.io/hostname',
  );
  const broken: ((job: JobShape) => void)[] = [
    (job) => (job.spec.template.spec.restartPolicy = 'Sometimes'),
    (job) => ((job.spec as unknown as Record<string, unknown>).completions = 'four'),
    (job) => ((job.spec as unknown as Record<string, unknown>).completionMode = 'Sharded'),
    (job) => ((job.spec.template.spec.containers[0] as Container).resources.limits.cpu = 'a lot'),
    (job) => delete (job.spec.template.spec.containers[0] as Partial<Container> & { name?: string }).name,
  ];
  for (const [i, breakIt] of broken.entries()) {
    const job = structuredClone(good);
    breakIt(job);
    assert.throws(
      () => new Job(job as unknown as ConstructorParameters<typeof Job>[0]).validate(),
      { message: /must/ },
      `case ${i}`,
    );
  }
  assert.throws(() => buildLoadJob({ ...spec, name: 'Bad_Name' }), { code: 'LAB_E_BAD_PARAM' });
  assert.throws(() => buildLoadJob({ ...spec, memory: 'lots' }), { code: 'LAB_E_BAD_PARAM' });
  assert.throws(() => buildLoadJob({ ...spec, image: '' }), { code: 'LAB_E_BAD_PARAM' });
});

test('k8s load: JSON format, flags checked as conlab load checks them, shard flags refused', async () => {
  const loadArgs = ['http://svc:8080/hello', '-c', '8', '-t', '2', '-d', '10', '-H', 'x-run: one two'];
  const json = await runConlab([
    'k8s',
    'load',
    ...loadArgs,
    '--generators',
    '2',
    '--format',
    'json',
    '--namespace',
    'lab',
    '--name',
    'run-1',
    '--start-in',
    '2m',
  ]);
  assert.equal(json.code, 0, json.stderr);
  const job = JSON.parse(json.stdout) as JobShape;
  new Job(job as unknown as ConstructorParameters<typeof Job>[0]).validate();
  assert.equal(job.metadata.name, 'run-1');
  const container = job.spec.template.spec.containers[0] as Container;
  assert.equal(container.resources.limits.cpu, '2', '-t 2 → two cores per pod');
  assert.deepEqual(container.args.slice(0, 10), ['load', ...loadArgs]);
  assert.match(json.stderr, /kubectl wait -n lab --for=condition=complete job\/run-1/);

  const cases: [string[], RegExp][] = [
    [['--generators', '4', '--shard', '1/4'], /LAB_E_USAGE: --shard is set by the Job/],
    [['--generators', '4', '--start-at', '+10s'], /LAB_E_USAGE: --start-at is set by the Job/],
    [['--generators', '9'], /LAB_E_BAD_SHARD: 9 shards for 8 connections/],
    [[], /LAB_E_USAGE: k8s load needs --generators/],
    [
      ['--generators', '2', '--name', 'Not_A_Label'],
      /LAB_E_BAD_PARAM: name 'Not_A_Label' is not a DNS-1123 label/,
    ],
    [['--generators', '2', '--format', 'toml'], /LAB_E_BAD_PARAM: --format 'toml'/],
    [['--generators', '2', '--start-in', '3h'], /LAB_E_BAD_PARAM: --start-in/],
    [['--generators', '2', '--rate', 'fast'], /LAB_E_BAD_PARAM: --rate/],
  ];
  for (const [extra, expected] of cases) {
    const run = await runConlab(['k8s', 'load', 'http://svc:8080/', '-c', '8', '-d', '10', ...extra]);
    assert.equal(run.code, 2, extra.join(' '));
    assert.match(run.stderr, expected);
  }
  const unknown = await runConlab(['k8s', 'apply']);
  assert.match(unknown.stderr, /LAB_E_USAGE: k8s apply: the only k8s command is 'load'/);
});
