/**
 * Entry of a unit that is a child process (reuseport, prefork) or a
 * node:cluster worker (cluster). Child processes talk JSON lines over
 * stdin/stdout; cluster workers over the cluster IPC channel. Either way the
 * unit stops when its primary goes away, so a killed primary leaves no orphans.
 */
import cluster from 'node:cluster';
import { UNIT_ENV, type UnitConfig } from '../../config.ts';
import { encodeLine, readMessages } from '../../../core/subject/protocol.ts';
import { isPrimaryMessage, type UnitMessage } from './messages.ts';
import { hostUnit, type UnitTransport } from './unit-host.ts';
import { enableCompileCache } from '../../../core/compile-cache.ts';

// Compile cache for what loads from here on and for this process's children (src/core/compile-cache.ts).
enableCompileCache();

// SIGINT from a terminal reaches the whole process group; the primary owns
// shutdown and tells us, so a Ctrl-C never looks like a crashed unit.
process.on('SIGINT', () => undefined);
process.on('uncaughtException', (error) => {
  process.stderr.write(`conlab unit ${process.pid}: uncaught ${error.stack ?? error.message}\n`);
  process.exit(70);
});

function stdioTransport(): UnitTransport {
  return {
    send: (message: UnitMessage) => process.stdout.write(encodeLine(message)),
    onMessage: (handler) => readMessages(process.stdin, isPrimaryMessage, handler),
    onPrimaryGone: (handler) => process.stdin.on('end', handler),
    exit: (code) => process.exit(code),
  };
}

function clusterTransport(): UnitTransport {
  return {
    send: (message: UnitMessage) => process.send?.(message),
    onMessage: (handler) =>
      process.on('message', (message) => {
        if (isPrimaryMessage(message)) handler(message);
      }),
    onPrimaryGone: (handler) => process.on('disconnect', handler),
    exit: (code) => process.exit(code),
  };
}

const raw = process.env[UNIT_ENV];
if (raw === undefined) {
  process.stderr.write(`conlab unit: ${UNIT_ENV} is not set; this file is started by a server primary\n`);
  process.exit(2);
}
const unit = JSON.parse(raw) as UnitConfig;
process.on('SIGTERM', () => process.exit(0));
await hostUnit(unit, cluster.isWorker ? clusterTransport() : stdioTransport());
