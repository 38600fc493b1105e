/**
 * The driver's look at a workload module, in a process of its own: import
 * it once, check its exports against the contract and print what was found
 * as one marked JSON line. A process rather than an import in the driver,
 * because the module is the user's code: its top-level code may print,
 * exit, hang or leave timers, and the driver must see each of those as a
 * bad module, not suffer it. It also reads the file afresh every time (an
 * import cache would keep the first version).
 *
 * argv: <absolute path> <export name>
 */
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { currentRuntimeLabel } from '../../core/runtime-info.ts';
import { inspectModule } from './inspect.ts';
import { CHECK_MARKER, type CheckReport } from './check-report.ts';

const [path, exportName] = process.argv.slice(2);

function report(result: CheckReport): void {
  process.stdout.write(`\n${CHECK_MARKER}${JSON.stringify(result)}\n`, () => process.exit(0));
}

if (path === undefined || exportName === undefined) {
  report({
    t: 'load-error',
    runtime: currentRuntimeLabel(),
    message: 'usage: check-subject <path> <export>',
    code: undefined,
  });
} else {
  try {
    const namespace = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    report({
      t: 'inspected',
      runtime: currentRuntimeLabel(),
      inspection: inspectModule(namespace, exportName, basename(path)),
    });
  } catch (error) {
    report({
      t: 'load-error',
      runtime: currentRuntimeLabel(),
      message: error instanceof Error ? error.message : String(error),
      code:
        (error as { code?: unknown } | null)?.code === undefined
          ? undefined
          : String((error as { code: unknown }).code),
    });
  }
}
