/**
 * The same conformance cases on Bun and Deno. Architectures a runtime cannot
 * run are skipped with the server's own "unsupported on ..." reason.
 */
import { loadRegistryModules } from '../../src/core/registry.ts';
import { architectures } from '../../src/servers/subject/arch/registry.ts';
import { defineConformance } from './conformance-suite.ts';

// Architectures added through CONLAB_REGISTRY_MODULES get the suite too.
await loadRegistryModules();

defineConformance('bun', architectures.names());
defineConformance('deno', architectures.names());
