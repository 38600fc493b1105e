/**
 * The server subject's entry point, started under the chosen runtime by
 * `conlab serve` and by the bench driver: `entry.ts '<ServerConfig JSON>'`.
 * Subject-side only: no CLI, no store, no reports.
 */
import { loadRegistryModules } from '../../core/registry.ts';
import type { ServerConfig } from '../config.ts';
import { runPrimary } from './arch/base.ts';
import { enableCompileCache } from '../../core/compile-cache.ts';

// Compile cache for what loads from here on and for this process's children (src/core/compile-cache.ts).
enableCompileCache();

const raw = process.argv[2];
if (raw === undefined) {
  process.stderr.write("usage: entry.ts '<ServerConfig JSON>' (started by conlab serve / bench-server)\n");
  process.exit(2);
}
// Architectures added outside the built-in list (CONLAB_REGISTRY_MODULES) must be registered here too.
await loadRegistryModules();
await runPrimary(JSON.parse(raw) as ServerConfig);
