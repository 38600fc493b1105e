/**
 * Entry of the driver's app check (src/servers/driver/app-check.ts), run
 * once under each runtime before any server starts: import the module,
 * say what it exports (one marked line on stdout; the app may print its
 * own lines too) and exit, whatever the module left running.
 */
import { importApp, PROBE_MARK, type ProbeAnswer } from './app-module.ts';

function say(answer: ProbeAnswer): void {
  process.stdout.write(`\n${PROBE_MARK}${JSON.stringify(answer)}\n`, () => process.exit(0));
}

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: probe.ts <app module path> (run by the conlab driver)\n');
  process.exit(2);
} else {
  try {
    const classified = await importApp(path);
    say(
      classified.ok
        ? { ok: true, kind: classified.app.kind, from: classified.app.from }
        : { ok: false, stage: 'shape', exports: classified.exports },
    );
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    say({ ok: false, stage: 'load', reason });
  }
}
