// Conformance of every model × workload on deno (cases in conformance-cases.ts).
import { defineConformance } from './conformance-cases.ts';

defineConformance('deno');
