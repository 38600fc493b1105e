/** Every server architecture against the shared conformance cases on the pinned Node 24. */
import { archNames } from '../../src/servers/config.ts';
import { defineConformance } from './conformance-suite.ts';

defineConformance('node', archNames);
