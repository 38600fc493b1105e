/**
 * The folder conlab keeps its caches in (runtime capabilities, the V8 compile cache): a
 * user-level cache folder, so it survives between runs and is shared by
 * every checkout, and overridable. Deleting it is always safe.
 *
 *   $CONLAB_CACHE_DIR, else $XDG_CACHE_HOME/conlab, else ~/.cache/conlab
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function conlabCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const own = env.CONLAB_CACHE_DIR;
  if (own !== undefined && own !== '') return own;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg !== '') return join(xdg, 'conlab');
  return join(homedir(), '.cache', 'conlab');
}
