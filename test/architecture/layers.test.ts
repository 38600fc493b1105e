/**
 * The layer order of docs/ARCHITECTURE.md, enforced: an import in src/ may
 * point into its own folder or into a folder of a lower tier, never up and
 * never sideways into a sibling of the same tier. Type-only imports count
 * too: a type that a lower layer needs belongs to that lower layer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Lowest first. Keep in step with the list in docs/ARCHITECTURE.md ("Layers"). */
export const tiers: readonly (readonly string[])[] = [
  ['core'],
  ['workloads', 'runtimes', 'stats'],
  ['monitor'],
  ['models', 'load'],
  ['results'],
  ['batch', 'servers'],
  ['seeds'],
  ['suite'],
  ['report'],
  ['cli', 'api'],
];

const srcDir = fileURLToPath(new URL('../../src/', import.meta.url));

function tierOf(folder: string): number {
  return tiers.findIndex((tier) => tier.includes(folder));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative specifiers of static imports, re-exports and dynamic imports. */
export function importSpecifiers(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
    if (match[1] !== undefined) specifiers.push(match[1]);
  }
  return specifiers;
}

/** The top folder under src/ of a path, or '' for a file directly in src/. */
function topFolder(path: string): string {
  const parts = relative(srcDir, path).split('/');
  return parts.length > 1 ? (parts[0] ?? '') : '';
}

test('importSpecifiers finds static, type-only, re-exported and dynamic imports', () => {
  const source = [
    "import { a } from './a.ts';",
    "import type { B } from '../b/b.ts';",
    "export { c } from './c.ts';",
    "const d = await import('../d/d.ts');",
    "import { readFileSync } from 'node:fs';",
  ].join('\n');
  assert.deepEqual(importSpecifiers(source), ['./a.ts', '../b/b.ts', './c.ts', '../d/d.ts']);
});

test('every folder under src/ has a tier', () => {
  const folders = readdirSync(srcDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  const missing = folders.filter((folder) => tierOf(folder) === -1);
  assert.deepEqual(
    missing,
    [],
    `add these folders to the tiers in this test and docs/ARCHITECTURE.md: ${missing.join(', ')}`,
  );
});

test('imports in src/ point down the layer order only', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(srcDir)) {
    const from = topFolder(file);
    if (from === '') continue; // src/index.ts-style entry points sit on top of everything
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      const target = resolve(dirname(file), specifier);
      if (!target.startsWith(srcDir)) continue;
      const to = topFolder(target);
      if (to === from) continue;
      const fromTier = tierOf(from);
      const toTier = tierOf(to);
      if (to === '' || toTier >= fromTier) {
        violations.push(
          `${relative(srcDir, file)} → ${specifier} (${from}, tier ${fromTier} → ${to || 'src/'}, tier ${toTier})`,
        );
      }
    }
  }
  assert.deepEqual(violations, [], `imports against the layer order:\n${violations.join('\n')}`);
});
