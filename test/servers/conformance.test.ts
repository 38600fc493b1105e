/** Every server architecture against the shared conformance cases on the pinned Node 24. */
import { loadRegistryModules } from '../../src/core/registry.ts';
import { architectures } from '../../src/servers/subject/arch/registry.ts';
import { defineConformance } from './conformance-suite.ts';

// Architectures added through CONLAB_REGISTRY_MODULES get the suite too.
await loadRegistryModules();

defineConformance('node', architectures.names());
