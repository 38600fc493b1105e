/**
 * `async`: N pipelines as promises on one event loop (the seed's asyncio
 * version). Files are opened before the clock starts, as the other methods
 * do before their barrier.
 */
import { AsyncPipeline } from './stages.ts';
import { pipelineSpecs, type MethodContext, type MethodRun } from './context.ts';

export async function runAsync(context: MethodContext): Promise<MethodRun> {
  const pipelines: AsyncPipeline[] = [];
  try {
    for (const spec of pipelineSpecs(context)) pipelines.push(await AsyncPipeline.open(spec));
    const t0 = performance.now();
    context.onClockStart();
    const tallies = await Promise.all(
      pipelines.map((pipeline) => pipeline.runFor(context.options.durationS, t0)),
    );
    return {
      elapsedS: (performance.now() - t0) / 1000,
      pipelines: tallies,
      pids: [process.pid],
      threadIds: [],
    };
  } finally {
    await Promise.all(pipelines.map((pipeline) => pipeline.close()));
  }
}
