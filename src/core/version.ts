import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const packageJsonUrl = new URL('../../package.json', import.meta.url);

export function conlabVersion(): string {
  const pkg = JSON.parse(readFileSync(packageJsonUrl, 'utf8')) as { version: string };
  return pkg.version;
}

/** The git commit the running code came from, or null outside a checkout. */
export function conlabCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: new URL('../..', import.meta.url),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}
