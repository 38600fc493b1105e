// Conformance of every model × workload on bun (cases in conformance-cases.ts).
import { defineConformance } from './conformance-cases.ts';

defineConformance('bun');
