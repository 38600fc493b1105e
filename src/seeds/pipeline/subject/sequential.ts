/**
 * `sequential`: every pipeline on one thread, one stage at a time, each
 * stage blocking (as the seed's plain loop). The seed only runs it at
 * concurrency 1; with N pipelines conlab steps them in turn, so a sweep
 * shows the flat line a model without concurrency draws.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { BlockingPipeline } from './stages.ts';
import { wallClockMs } from '../options.ts';
import { pipelineSpecs, type MethodContext, type MethodRun } from './context.ts';

export async function runSequential(context: MethodContext): Promise<MethodRun> {
  const specs = pipelineSpecs(context);
  const pipelines: BlockingPipeline[] = [];
  try {
    for (const spec of specs) pipelines.push(new BlockingPipeline(spec));
    const startedAtMs = wallClockMs();
    const t0 = performance.now();
    context.onClockStart();
    const durationMs = context.options.durationS * 1000;
    while (performance.now() - t0 < durationMs) {
      for (const pipeline of pipelines) {
        if (performance.now() - t0 >= durationMs) break;
        pipeline.step();
      }
      // Let stdin EOF (the driver went away) be noticed between rounds.
      await yieldToLoop();
    }
    const elapsedS = (performance.now() - t0) / 1000;
    return {
      elapsedS,
      pipelines: pipelines.map((pipeline) => pipeline.tally(elapsedS, startedAtMs)),
      pids: [process.pid],
      threadIds: [],
    };
  } finally {
    for (const pipeline of pipelines) pipeline.close();
  }
}
