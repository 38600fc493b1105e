/**
 * A workload module as a Workload: what the driver knows from the check
 * (name, kind, params schema; it never runs the task), and what a subject or
 * pool worker runs after importing it. Both combine answers the same way.
 *
 * An item's answer is the canonical JSON of its result (json.ts), made where
 * the item ran, in every model alike: a pool has to serialise the result to
 * send it back anyway, so the cost is part of the task and the same for
 * every model. The cell's answer is a digest of those texts in item order.
 */
import { createHash } from 'node:crypto';
import type { ItemAnswer, ParamSpec, ParamValues, Workload } from '../types.ts';
import { canonicalJson } from './json.ts';
import type { TaskFacts } from './inspect.ts';
import { moduleLabel } from './ref.ts';

/** Where the answer digest starts: the method, so a reader knows what the hex is. */
const DIGEST_PREFIX = 'sha256:';

/** The params schema a module's defaults imply: each param takes the type of its default, any value of it. */
export function paramSchema(defaults: ParamValues): Record<string, ParamSpec> {
  const schema: Record<string, ParamSpec> = {};
  for (const [name, value] of Object.entries(defaults)) {
    const description = "typed like its default in the module's `params` export";
    if (typeof value === 'number') {
      schema[name] = { type: 'number', default: value, min: -Infinity, max: Infinity, description };
    } else if (typeof value === 'boolean') schema[name] = { type: 'boolean', default: value, description };
    else schema[name] = { type: 'string', default: value, description };
  }
  return schema;
}

/** First 16 hex digits of SHA-256 over the item answers, one per line, in item order. */
export function digestAnswers(label: string, answers: readonly ItemAnswer[]): string {
  const hash = createHash('sha256');
  for (const [i, answer] of answers.entries()) {
    if (typeof answer !== 'string')
      throw new Error(`${label}: item ${i} has no answer text (${String(answer)})`);
    // Canonical JSON has no raw newline, so the separator keeps item boundaries unambiguous.
    hash.update(answer).update('\n');
  }
  return `${DIGEST_PREFIX}${hash.digest('hex').slice(0, 16)}`;
}

function notLoaded(name: string): never {
  throw new Error(
    `workload module ${name} is only described in this process; a subject loads it before running`,
  );
}

/** The driver's view: everything but running the task. */
export function describedWorkload(name: string, facts: TaskFacts): Workload {
  const label = moduleLabel(name);
  return {
    name,
    label,
    kind: facts.kind,
    description: facts.description ?? `your module ${label}`,
    params: paramSchema(facts.params),
    asyncTask: facts.async,
    runSync: () => notLoaded(name),
    runAsync: () => Promise.reject(new Error(`workload module ${name} is not loaded in this process`)),
    combine: (answers) => digestAnswers(label, answers),
  };
}

type Task = (item: unknown, params: Readonly<ParamValues>) => unknown;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A subject's or worker's runnable workload: the imported task, its params and (in a subject) its items. */
export function runnableWorkload(
  described: Workload,
  task: Task,
  params: ParamValues,
  itemValues: readonly unknown[] | undefined,
): Workload {
  const label = described.label ?? described.name;
  // One frozen copy: a task that mutated its params would otherwise change later items in one model only.
  const frozen = Object.freeze({ ...params });
  const itemText = (index: number, item: unknown): string => {
    if (item === index) return `item ${index}`;
    const json = canonicalJson(item);
    return `item ${index} (${json.length > 60 ? `${json.slice(0, 60)}…` : json})`;
  };
  const answerOf = (index: number, item: unknown, result: unknown): string => {
    try {
      return canonicalJson(result);
    } catch (error) {
      throw new Error(`${label} ${itemText(index, item)}: its result: ${messageOf(error)}`, { cause: error });
    }
  };
  const threw = (index: number, item: unknown, error: unknown): Error =>
    new Error(`${label} ${itemText(index, item)} threw: ${messageOf(error)}`, { cause: error });
  // An item that did not travel with its task is the workload's own value, or its index.
  const valueOf = (index: number, item: unknown): unknown =>
    item !== undefined ? item : itemValues ? itemValues[index] : index;

  const runItem = (_params: ParamValues, index: number, item?: unknown): ItemAnswer | Promise<ItemAnswer> => {
    const value = valueOf(index, item);
    let result: unknown;
    try {
      result = task(value, frozen);
    } catch (error) {
      throw threw(index, value, error);
    }
    if (!isThenable(result)) return answerOf(index, value, result);
    return Promise.resolve(result).then(
      (settled) => answerOf(index, value, settled),
      (error: unknown) => {
        throw threw(index, value, error);
      },
    );
  };
  return {
    ...described,
    runItem,
    ...(itemValues ? { itemValues } : {}),
    runSync(runParams, index) {
      const answer = runItem(runParams, index);
      if (typeof answer === 'object') {
        // Nobody will await it: a rejection must not surface as an unhandled one.
        answer.catch(() => undefined);
        throw new Error(
          `${label} returned a Promise for item ${index}, and this model runs the task synchronously (async-blocking: sync work inside async functions); an asynchronous task has nothing to block with, so measure it with 'async' or a pool`,
        );
      }
      return answer;
    },
    runAsync(runParams, index) {
      try {
        const answer = runItem(runParams, index);
        return typeof answer === 'object' ? answer : Promise.resolve(answer);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}
