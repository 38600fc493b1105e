/**
 * One independent process for the CPU-scaling reference: waits for "go" on
 * stdin (so two of them start together), runs N cpu.js items back to back
 * and prints its own elapsed milliseconds.
 */
import { resolveParams, getWorkload } from '../src/workloads/index.ts';

const [items = '20', iters = '10000000'] = process.argv.slice(2);
const workload = getWorkload('cpu.js');
const params = resolveParams(workload, { iters });
process.stdout.write('ready\n');
process.stdin.once('data', () => {
  const t0 = performance.now();
  const answers = [];
  for (let i = 0; i < Number(items); i++) answers.push(workload.runSync(params, i));
  workload.combine(answers);
  process.stdout.write(`${performance.now() - t0}\n`);
  process.exit(0);
});
