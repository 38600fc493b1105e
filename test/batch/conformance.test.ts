// Conformance of every model × workload on node (cases in conformance-cases.ts).
import { defineConformance } from './conformance-cases.ts';

defineConformance('node');
