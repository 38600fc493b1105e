/**
 * `conlab runtimes`: which runtimes are here, their versions and paths, and
 * what each can do (probed by running code under it, cached per version).
 */
import type { Command } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { jsonText, outputFlags, outputOf } from '../grammar.ts';
import {
  discoverRuntimes,
  installHint,
  resolveRuntime,
  type DiscoveredRuntime,
} from '../../runtimes/registry.ts';
import { capabilityNames, probeCapabilities, type RuntimeCapabilities } from '../../runtimes/capabilities.ts';
import { renderTextTable, type Column } from '../../core/text-table.ts';

const usage = `usage: conlab runtimes [--runtime PATH]... [--refresh] [--json]

Lists the runtimes conlab can run subjects under (the pinned node, bun and
deno from node_modules, the system node on PATH, and any --runtime PATH you
add) with each one's capabilities, found by running a probe under it once
per version (cached in ~/.cache/conlab, or $CONLAB_CACHE_DIR).

  --runtime PATH   also list this runtime binary (repeatable); a path that is
                   not a node/bun/deno binary is an error (LAB_E_UNKNOWN_RUNTIME)
  --refresh        probe again instead of using the cache
  --format F       table (default) or json (--json is the same)
  -o, --output FILE  write to FILE instead of stdout`;

interface Row {
  name: string;
  label: string;
  path: string;
  capabilities: RuntimeCapabilities['capabilities'] | null;
  error?: string;
}

/** Short column headers so the table fits a terminal; the legend below it spells them out. */
const shortNames: Record<(typeof capabilityNames)[number], string> = {
  typescript: 'ts',
  worker_threads: 'threads',
  child_process: 'child',
  'cluster-net': 'cl-net',
  'cluster-http': 'cl-http',
  'reusePort-net': 'rp-net',
  'reusePort-http': 'rp-http',
  sqlite: 'sqlite',
  sharedArrayBuffer: 'sab',
  monitorEventLoopDelay: 'eld',
  eventLoopUtilization: 'elu',
};

export function renderRuntimesTable(rows: Row[]): string {
  const columns: Column<Row>[] = [
    { header: 'name', value: (row) => row.name },
    { header: 'version', value: (row) => row.label },
    ...capabilityNames.map((capability): Column<Row> => ({
      header: shortNames[capability],
      value: (row) => (row.capabilities ? (row.capabilities[capability].supported ? 'yes' : 'no') : '-'),
    })),
    { header: 'path', value: (row) => row.path },
  ];
  const lines = [renderTextTable(columns, rows)];
  lines.push(`legend: ${capabilityNames.map((c) => `${shortNames[c]}=${c}`).join(', ')}\n`);
  const notes: string[] = [];
  for (const row of rows) {
    if (row.error) notes.push(`  ${row.name}: ${row.error} → to add it: ${installHint(row.name)}`);
    // Without TypeScript nothing else can run: one line says it all.
    const checked =
      row.capabilities?.typescript.supported === false ? (['typescript'] as const) : capabilityNames;
    for (const capability of checked) {
      const result = row.capabilities?.[capability];
      if (result && !result.supported)
        notes.push(`  ${row.label} ${capability}: ${result.reason ?? 'unsupported'}`);
    }
  }
  if (notes.length > 0) lines.push(`why not:\n${notes.join('\n')}\n`);
  return lines.join('');
}

async function toRow(found: DiscoveredRuntime, refresh: boolean): Promise<Row> {
  if (!found.spec)
    return { name: found.name, label: '-', path: '-', capabilities: null, error: found.error ?? 'not found' };
  const probed = await probeCapabilities(found.spec, {
    refresh,
    onProbe: (label) =>
      void process.stderr.write(`conlab runtimes: probing ${label} (once per version, a few seconds)\n`),
  });
  return {
    name: found.name,
    label: found.spec.label,
    path: found.spec.binPath,
    capabilities: probed.capabilities,
  };
}

const flags = {
  runtime: { type: 'string', multiple: true },
  refresh: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  ...outputFlags,
} as const;

export const command: Command = {
  name: 'runtimes',
  usage,
  flags,
  async run(argv) {
    const { values } = parseCommandArgs('runtimes', argv, flags);
    const output = outputOf('runtimes', values, ['table', 'json']);
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const userPaths = values.runtime ?? [];
    // A user path must be a runtime: fail loudly (exit 2) rather than list it as missing.
    for (const path of userPaths) resolveRuntime(path);
    const rows: Row[] = [];
    // One probe at a time: each times blocks and starts processes, and must not disturb the next.
    for (const found of discoverRuntimes(userPaths)) rows.push(await toRow(found, values.refresh));
    if (output.format === 'json') {
      output.emit(
        jsonText(
          rows.map((row) => ({
            name: row.name,
            runtime: row.label === '-' ? null : row.label,
            path: row.path === '-' ? null : row.path,
            capabilities: row.capabilities,
            ...(row.error ? { error: row.error } : {}),
          })),
        ),
      );
    } else {
      output.emit(renderRuntimesTable(rows));
    }
    return 0;
  },
};
