/**
 * The same conformance cases on Bun and Deno. Architectures a runtime cannot
 * run are skipped with the server's own "unsupported on ..." reason.
 */
import { archNames } from '../../src/servers/config.ts';
import { defineConformance } from './conformance-suite.ts';

defineConformance('bun', archNames);
defineConformance('deno', archNames);
