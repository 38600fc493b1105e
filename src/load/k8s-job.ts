/**
 * A load split over Kubernetes pods, the k6-operator pattern without an
 * operator: one batch/v1 Job in Indexed completion mode, one pod per shard.
 * Pod K runs `conlab load … --shard-index K/N` (K is the pod's
 * $JOB_COMPLETION_INDEX, counted from 0) with one agreed absolute
 * `--start-at`, and prints its shard result as JSON to its log; gathering
 * the logs into `conlab merge -` gives the whole result. The manifest is
 * built with kubernetes-models' typed classes and checked against the
 * Kubernetes OpenAPI schema they carry before it is printed.
 */
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ErrorCodes, LabError, errorText } from '../core/errors.ts';

export interface LoadJobSpec {
  /** Job name (a DNS-1123 label); pods are named after it. */
  name: string;
  namespace: string | undefined;
  /** An image with `conlab` on its PATH (docs/DISTRIBUTED.md builds one). */
  image: string;
  /** Shards: completions = parallelism = generators. */
  generators: number;
  /** What follows `conlab load` for every shard: the target and the load's flags (no shard, start, --json). */
  loadArgs: string[];
  /** The agreed start of every shard's measured window. */
  startAtEpochMs: number;
  /** Whole cores per generator pod, requested and limited alike (Guaranteed QoS). */
  cpuCores: number;
  /** Memory per generator pod, requested and limited alike, as a Kubernetes quantity (512Mi). */
  memory: string;
  ttlSecondsAfterFinished: number;
  /** Hard bound on the Job's run time, from its start. */
  activeDeadlineSeconds: number;
  /** 'preferred': spread generators over nodes when there are enough; 'required': never two on one node. */
  antiAffinity: 'preferred' | 'required';
  /** The command line that made the manifest, kept as an annotation. */
  command?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A Job name also labels its pods (job-name=NAME): label values stop at 63 characters. */
const MAX_NAME_LENGTH = 63;
const QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const JOB_LABEL = 'conlab.dev/job';

function checkLabel(what: string, value: string): void {
  if (!DNS_LABEL.test(value) || value.length > MAX_NAME_LENGTH) {
    throw new LabError(
      ErrorCodes.BAD_PARAM,
      `${what} '${value}' is not a DNS-1123 label → allowed: lower-case letters, digits and '-', starting and ending with a letter or digit, at most ${MAX_NAME_LENGTH} characters`,
      { hint: `e.g. --${what} conlab-load-1` },
    );
  }
}

/** A name that sorts by time and fits a label: conlab-load-YYMMDD-HHMMSS (UTC). */
export function defaultJobName(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').slice(2, 15).replace('T', '-');
  return `conlab-load-${stamp}`;
}

function checkSpec(spec: LoadJobSpec): void {
  checkLabel('name', spec.name);
  if (spec.namespace !== undefined) checkLabel('namespace', spec.namespace);
  if (spec.image.trim() === '' || /\s/.test(spec.image)) {
    throw new LabError(ErrorCodes.BAD_PARAM, `image '${spec.image}' is not an image reference`, {
      hint: 'e.g. --image registry.example.com/conlab:0.1.0',
    });
  }
  if (!QUANTITY.test(spec.memory)) {
    throw new LabError(ErrorCodes.BAD_PARAM, `memory '${spec.memory}' is not a Kubernetes quantity`, {
      hint: 'e.g. --memory 512Mi or --memory 1Gi',
    });
  }
}

/** The Job's pods, as the anti-affinity and the log gathering select them. */
function podSelector(spec: LoadJobSpec): Record<string, string> {
  return { [JOB_LABEL]: spec.name };
}

/** The manifest, checked against the Kubernetes schema; LAB_E_BAD_PARAM for a bad name, image or quantity. */
export function buildLoadJob(spec: LoadJobSpec): Job {
  checkSpec(spec);
  const labels = {
    'app.kubernetes.io/name': 'conlab',
    'app.kubernetes.io/component': 'load-generator',
    ...podSelector(spec),
  };
  const quantity = { cpu: String(spec.cpuCores), memory: spec.memory };
  const term = { labelSelector: { matchLabels: podSelector(spec) }, topologyKey: 'kubernetes.io/hostname' };
  const job = new Job({
    metadata: {
      name: spec.name,
      ...(spec.namespace === undefined ? {} : { namespace: spec.namespace }),
      labels,
      ...(spec.command === undefined ? {} : { annotations: { 'conlab.dev/command': spec.command } }),
    },
    spec: {
      completionMode: 'Indexed',
      completions: spec.generators,
      parallelism: spec.generators,
      // A failed shard is not retried: a rerun would start after the agreed instant; the merge names it missing.
      backoffLimit: 0,
      activeDeadlineSeconds: spec.activeDeadlineSeconds,
      ttlSecondsAfterFinished: spec.ttlSecondsAfterFinished,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 10,
          affinity: {
            podAntiAffinity:
              spec.antiAffinity === 'required'
                ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
                : {
                    preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }],
                  },
          },
          containers: [
            {
              name: 'conlab',
              image: spec.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['conlab'],
              // Kubernetes expands $(JOB_COMPLETION_INDEX) from the env var the Job controller gives every pod of an Indexed Job.
              args: [
                'load',
                ...spec.loadArgs,
                '--shard-index',
                `$(JOB_COMPLETION_INDEX)/${spec.generators}`,
                '--start-at',
                new Date(spec.startAtEpochMs).toISOString(),
                '--allow-remote',
                '--json',
              ],
              // Requests = limits for every resource: Guaranteed QoS, so a generator owns its cores.
              resources: { requests: quantity, limits: quantity },
            },
          ],
        },
      },
    },
  });
  try {
    job.validate();
  } catch (error) {
    throw new LabError(
      ErrorCodes.INTERNAL,
      `the Job manifest fails the Kubernetes schema: ${errorText(error)}`,
      {
        hint: 'this is a bug in conlab; rerun with --debug and report it',
        exitCode: 1,
        cause: error,
      },
    );
  }
  return job;
}

/** The shell command that waits for the Job and merges its pods' logs. */
export function gatherCommand(spec: LoadJobSpec): string {
  const ns = spec.namespace === undefined ? '' : ` -n ${spec.namespace}`;
  // `kubectl logs -l` prints only 10 lines per pod unless told --tail=-1; without --follow it reads pods one after another, so documents do not interleave.
  return (
    `kubectl wait${ns} --for=condition=complete job/${spec.name} --timeout=${spec.activeDeadlineSeconds}s; ` +
    `kubectl logs${ns} -l ${JOB_LABEL}=${spec.name} --tail=-1 | conlab merge -`
  );
}
