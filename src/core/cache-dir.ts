/**
 * The one folder conlab keeps caches in (runtime capabilities, V8 compile
 * caches): user-level, so an installed package does not write into its own
 * node_modules folder, and overridable for CI or a read-only home.
 * Order: CONLAB_CACHE_DIR, then $XDG_CACHE_HOME/conlab, then ~/.cache/conlab.
 */
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export function conlabCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.CONLAB_CACHE_DIR;
  if (explicit !== undefined && explicit !== '') return explicit;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'conlab');
  let home = '';
  try {
    home = homedir();
  } catch {
    // No home directory (some containers): fall back to the temp folder.
  }
  return join(home !== '' ? join(home, '.cache') : tmpdir(), 'conlab');
}
