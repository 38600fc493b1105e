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
  /** Allowed characters and length, checked with a regular expression. */
  pattern: RegExp;
  description: string;
}

export type ParamSpec = IntParam | NumberParam | StringParam;

export type ParamValues = Record<string, number | string>;

export interface Workload {
  name: string;
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
}
