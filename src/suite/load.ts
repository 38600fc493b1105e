/**
 * A suite from a file (or the built-in quick suite) to what a run needs:
 * the resolved suite, its cells and the order of their repetitions.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCatalog } from './catalog.ts';
import { readSuiteFile } from './parse.ts';
import { applyOverrides, resolveSuite, type SuiteCatalog, type SuiteOverrides } from './resolve.ts';
import { expandSuite, planOrder } from './expand.ts';
import type { CellPlan, PlannedRep, ResolvedSuite } from './types.ts';

/** The default lab behind `npm start` and `conlab run` with no suite. */
export const BUILTIN_QUICK_SUITE = fileURLToPath(new URL('../../suites/quick.yaml', import.meta.url));

export interface PreparedSuite {
  suite: ResolvedSuite;
  cells: CellPlan[];
  plan: PlannedRep[];
}

export function prepareSuite(
  path: string | undefined,
  overrides: SuiteOverrides = {},
  catalog: SuiteCatalog = defaultCatalog,
): PreparedSuite {
  const file = path ?? BUILTIN_QUICK_SUITE;
  const source = path ?? 'builtin:quick (suites/quick.yaml)';
  const input = applyOverrides(readSuiteFile(file), overrides, source);
  // Workload modules named in a suite are relative to the suite file.
  const suite = resolveSuite(input, source, catalog, dirname(resolve(file)));
  const cells = expandSuite(suite);
  return { suite, cells, plan: planOrder(suite, cells) };
}
