/**
 * Every `conlab` command: its one-line summary and how to load it. The
 * summaries live here, not in the command modules, so `conlab help` prints
 * them without loading any command (each one imports its whole lab).
 */
import type { Command } from './command.ts';

export interface CommandEntry {
  /** One line for `conlab help`. */
  summary: string;
  load(): Promise<{ command: Command }>;
}

export const commands: Record<string, CommandEntry> = {
  batch: {
    summary: 'run a workload over N items under concurrency models (seed 003)',
    load: () => import('./commands/batch.ts'),
  },
  load: {
    summary: 'drive an HTTP or TCP server with a verifying load generator (closed or open loop)',
    load: () => import('./commands/load.ts'),
  },
  merge: {
    summary: "merge shard results of 'conlab load --shard' into one (lossless histograms)",
    load: () => import('./commands/merge.ts'),
  },
  k8s: {
    summary: 'print a Kubernetes Job that runs a load as N shards, and how to merge them',
    load: () => import('./commands/k8s.ts'),
  },
  serve: {
    summary: 'serve the HTTP/TCP contract under one server architecture',
    load: () => import('./commands/serve.ts'),
  },
  'bench-server': {
    summary: 'measure server architectures under load (req/s, latency, CPU, memory)',
    load: () => import('./commands/bench-server.ts'),
  },
  capacity: {
    summary: 'find the highest rate each architecture serves under a latency target (the knee)',
    load: () => import('./commands/capacity.ts'),
  },
  runtimes: {
    summary: 'list runtimes (node, bun, deno, system node) with versions and capabilities',
    load: () => import('./commands/runtimes.ts'),
  },
  doctor: {
    summary: 'what on this machine makes numbers unstable (governor, load, quota, SMT, swap…)',
    load: () => import('./commands/doctor.ts'),
  },
  run: {
    summary: 'run a suite (default: the quick lab) and store every cell as it ends',
    load: () => import('./commands/run.ts'),
  },
  suite: {
    summary: 'validate a suite file or show the cells it expands to',
    load: () => import('./commands/suite.ts'),
  },
  results: {
    summary:
      'list stored runs, show one, export it (JSON, CSV, Markdown, OpenMetrics, HdrHistogram), check the store for damage',
    load: () => import('./commands/results.ts'),
  },
  compare: {
    summary: 'compare two runs cell by cell: ratio, interval, significance',
    load: () => import('./commands/compare.ts'),
  },
  report: {
    summary: 'HTML report, SVG/PNG figures, cell table or A/B comparison of stored runs',
    load: () => import('./commands/report.ts'),
  },
  pipeline: {
    summary: "seed 001's I/O pipeline (recv → compute → write+fsync) by method and concurrency",
    load: () => import('./commands/pipeline.ts'),
  },
  preset: {
    summary: 'run a seed experiment (seed000, seed002, seed004) in its own output format',
    load: () => import('./commands/preset.ts'),
  },
  completion: {
    summary: 'print a shell completion script (bash, zsh, fish)',
    load: () => import('./commands/completion.ts'),
  },
};
