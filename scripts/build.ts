/**
 * Builds the JavaScript that the npm package ships (run by `npm pack` through
 * the `prepack` script). The checkout itself needs no build: Node 24, Bun and
 * Deno run the .ts sources directly. An installed package cannot rely on
 * that — Node refuses to strip types under node_modules, and Node 22 before
 * 22.18 does not strip them at all — so the package carries dist/: the same
 * modules compiled by tsc (imports rewritten from .ts to .js), with type
 * declarations for the programmatic API.
 *
 * tsc rewrites import specifiers but not the script paths that drivers hand
 * to child processes and worker threads (`new URL('./worker.ts', import.meta.url)`),
 * so those are rewritten here, and the build fails if any is left.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const distDir = join(root, 'dist');
const tscPath = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** `new URL('./x.ts', import.meta.url)` and `new URL("../y/z.ts", ...)` → .js */
const scriptUrlPattern = /(new URL\(\s*(['"]))(\.{1,2}\/[^'"]+)\.ts\2/g;

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(path);
    return entry.name.endsWith('.js') ? [path] : [];
  });
}

export function rewriteScriptUrls(source: string): string {
  return source.replace(
    scriptUrlPattern,
    (_match, prefix: string, quote: string, path: string) => `${prefix}${path}.js${quote}`,
  );
}

function build(): void {
  rmSync(distDir, { recursive: true, force: true });
  execFileSync(process.execPath, [tscPath, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  const leftovers: string[] = [];
  for (const file of jsFiles(distDir)) {
    const source = readFileSync(file, 'utf8');
    const rewritten = rewriteScriptUrls(source);
    if (rewritten !== source) writeFileSync(file, rewritten);
    if (/new URL\(\s*['"][^'"]+\.ts['"]/.test(rewritten)) leftovers.push(file);
  }
  if (leftovers.length > 0) {
    throw new Error(
      `dist still names .ts scripts (write them as new URL('./x.ts', import.meta.url)): ${leftovers.join(', ')}`,
    );
  }
  process.stdout.write(`built ${jsFiles(distDir).length} modules into dist/\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) build();
