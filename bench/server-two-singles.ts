/**
 * The scaling reference of bench/server-scaling.ts: two independent `single`
 * servers in ONE session (this process is started detached; its children are
 * not), so that on Linux with scheduler autogroups they get the same CPU
 * share as one multi-process architecture, whose processes also share one
 * session. Prints both servers' listening lines; SIGTERM or stdin closing
 * stops both.
 *
 *   node bench/server-two-singles.ts '<ServerConfig JSON>'
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readMessages } from '../src/core/subject/protocol.ts';
import { listeningLine } from '../src/servers/driver/launch.ts';
import { isFromServer } from '../src/servers/protocol.ts';

const entry = fileURLToPath(new URL('../src/servers/subject/main.ts', import.meta.url));
const config = process.argv[2] ?? '{}';
const children: ChildProcess[] = [];
for (let i = 0; i < 2; i++) {
  const child = spawn(process.execPath, [entry, config], { stdio: ['pipe', 'pipe', 'inherit'] });
  // Each server says `ready` as a message; this prints the human line conlab serve prints.
  readMessages(child.stdout, isFromServer, (message) => {
    if (message.t === 'ready') process.stdout.write(`${listeningLine(message)}\n`);
  });
  children.push(child);
}
const stop = (): void => {
  let left = children.length;
  for (const child of children) {
    child.once('exit', () => {
      if (--left === 0) process.exit(0);
    });
    child.kill('SIGTERM');
  }
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
