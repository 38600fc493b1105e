/**
 * The workload contract. A workload is one unit of work as a pure function of
 * validated params and an item index, so that every model can run the same
 * item and every answer can be checked against the sequential one.
 */
export type ItemAnswer = number | string;

export interface IntParam {
  type: 'int';
  default: number;
  min: number;
  max: number;
  description: string;
}

export interface NumberParam {
  type: 'number';
  default: number;
  min: number;
  max: number;
  description: string;
}

export interface StringParam {
  type: 'string';
  default: string;
  /** Allowed characters and length, checked with a regular expression; absent: any string. */
  pattern?: RegExp;
  description: string;
}

export interface BooleanParam {
  type: 'boolean';
  default: boolean;
  description: string;
}

export type ParamSpec = IntParam | NumberParam | StringParam | BooleanParam;

export type ParamValues = Record<string, number | string | boolean>;

export interface Workload {
  name: string;
  /** A short name for messages and tables where `name` is long (a module's file name); default: name. */
  label?: string;
  kind: 'cpu' | 'io';
  description: string;
  params: Record<string, ParamSpec>;
  /** One-time set-up before any item runs (e.g. create the SQLite file); runs in the subject before timing. */
  prepare?(params: ParamValues): void;
  /** Blocks the calling thread until the item is done (the "falsely async" pitfall for io workloads). */
  runSync(params: ParamValues, itemIndex: number): ItemAnswer;
  /** Lets the event loop run other items while this one waits (io workloads); cpu workloads may just call runSync. */
  runAsync(params: ParamValues, itemIndex: number): Promise<ItemAnswer>;
  /** Item answers, in item order, to the cell answer; throws when items disagree where they must agree. */
  combine(answers: readonly ItemAnswer[]): ItemAnswer;
  /** The cell answer computed without doing the work, where that is cheap; lets the driver verify every model. */
  expected?(params: ParamValues, items: number): ItemAnswer;
  /**
   * A user module's task (src/workloads/module/), which may be synchronous or
   * asynchronous, and which one is known only by calling it: the item's
   * answer, or a promise of it. Executors that run items one after another
   * (sequential, pool workers) call this when it is there and await only a
   * promise, so a synchronous task pays for no await. `item` is the item's
   * value when it travelled with the task (a pool worker); absent, the
   * workload takes it from its own items.
   */
  runItem?: (params: ParamValues, itemIndex: number, item?: unknown) => ItemAnswer | Promise<ItemAnswer>;
  /**
   * The items' values, when the workload has its own (a module's `items()`);
   * absent, item i is the index i. A pool sends each task's values to the
   * worker with the task, so moving an item's data is part of the timed work,
   * as it is for real code that hands data to a worker.
   */
  itemValues?: readonly unknown[];
  /** The task is declared `async` (known before running it): a model that needs synchronous work refuses it up front. */
  asyncTask?: boolean;
}
