/**
 * Model name → definition. Adding a model is one file (its definition:
 * axes, cores, label, executor) and one line in the list below; every list
 * of names, default, help text, efficiency divisor and test matrix is
 * derived from here. Tests and extension modules add models with
 * models.register() (see src/core/registry.ts for how an addition reaches
 * subject processes); a name taken or an axis default outside its range is
 * refused.
 */
import { ErrorCodes, LabError } from '../core/errors.ts';
import { defaultsHelp, Registry } from '../core/registry.ts';
import { model as asyncBlocking } from './async-blocking.ts';
import { model as asyncModel } from './async.ts';
import { model as hybrid } from './hybrid.ts';
import { model as processes } from './processes.ts';
import { model as sequential } from './sequential.ts';
import { model as spawn } from './spawn.ts';
import { model as threads } from './threads.ts';
import {
  modelAxisNames,
  type ModelAxis,
  type ModelAxisName,
  type ModelDefinition,
  type ModelShape,
} from './types.ts';

/** Refuses a definition whose axis default lies outside its own range. */
function checkModel(model: ModelDefinition): void {
  for (const [axis, range] of Object.entries(model.axes)) {
    if (!(range.min >= 1 && range.min <= range.default && range.default <= range.max)) {
      throw new LabError(
        ErrorCodes.USAGE,
        `model '${model.name}' declares ${axis} default ${range.default} outside ${range.min}..${range.max}`,
        { hint: 'declare a range from 1 up that contains the default' },
      );
    }
  }
}

export const models = new Registry<ModelDefinition>(
  'model',
  ErrorCodes.UNKNOWN_MODEL,
  [sequential, asyncBlocking, asyncModel, threads, processes, hybrid, spawn],
  checkModel,
);

/** The model every other is compared with (speedup 1 by definition); runs first and is always measured by `conlab batch`. */
export const baselineModel: ModelDefinition = sequential;

/** Checks one axis value against a model's declared range; LAB_E_BAD_PARAM naming the model, axis and range. */
export function checkAxisValue(model: ModelDefinition, axis: ModelAxisName, value: number): number {
  const range = model.axes[axis] ?? { default: 1, min: 1, max: 1 };
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    const words = axisWords[axis];
    throw new LabError(
      ErrorCodes.BAD_PARAM,
      `${model.name} ${words.label} '${String(value)}' is not a whole number in ${range.min}..${range.max}`,
      { hint: `${model.name} takes ${words.label} ${range.min}..${range.max}; e.g. ${words.example}` },
    );
  }
  return value;
}

/** How each axis is named in messages, and an example of setting it. */
export const axisWords: Record<ModelAxisName, { label: string; example: string }> = {
  concurrency: { label: 'concurrency', example: '--concurrency 1,2,4' },
  threadsPerProcess: { label: 'threads per process', example: '--threads-per-process 2' },
  itemsPerTask: { label: 'items per task', example: '--items-per-task 1,5' },
};

/**
 * A model's shape from what was asked: each declared axis takes the given
 * value (checked against its range) or its default; an undeclared axis is 1
 * whatever was given (one cell, not several identical ones).
 */
export function resolveShape(model: ModelDefinition, given: Partial<ModelShape>): ModelShape {
  const shape = {} as ModelShape;
  for (const axis of modelAxisNames) {
    const range = model.axes[axis];
    shape[axis] = range ? checkAxisValue(model, axis, given[axis] ?? range.default) : 1;
  }
  return shape;
}

/** Models that declare an axis, e.g. the ones that take --threads-per-process. */
export function modelsWithAxis(axis: ModelAxisName): ModelDefinition[] {
  return models.all().filter((model) => model.axes[axis] !== undefined);
}

/**
 * The narrowest range that admits every model's values of an axis, for
 * parsing a flag before the model of each cell is known (the per-model
 * range is checked when the cell resolves).
 */
export function axisBounds(axis: ModelAxisName): { min: number; max: number } {
  const ranges = modelsWithAxis(axis).map((model) => model.axes[axis] as ModelAxis);
  return {
    min: Math.min(1, ...ranges.map((range) => range.min)),
    max: Math.max(1, ...ranges.map((range) => range.max)),
  };
}

/** For help texts: the models that declare an axis, grouped by default, e.g. "threads, processes, hybrid: default 1". */
export function axisHelp(axis: ModelAxisName): string {
  return defaultsHelp(
    modelsWithAxis(axis).map((model) => ({
      name: model.name,
      default: (model.axes[axis] as ModelAxis).default,
    })),
  );
}

/** One line per declared axis of a model, for listings: "concurrency 2 (1..32)". */
export function describeAxes(model: ModelDefinition): string {
  const parts = modelAxisNames.flatMap((axis) => {
    const range = model.axes[axis];
    return range ? [`${axis} ${range.default} (${range.min}..${range.max})`] : [];
  });
  return parts.length > 0 ? parts.join(', ') : 'no axes (runs once)';
}

/**
 * Cores a cell of this model keeps busy running JavaScript: the divisor of
 * parallel efficiency. Null for a model this build does not know (a stored
 * record from another version): no divisor is better than a wrong one.
 */
export function coresUsed(cell: { model: string } & ModelShape): number | null {
  const model = models.find(cell.model);
  return model ? model.cores(cell) : null;
}

/** Whether a model varies an axis (false for a model this build does not know). */
export function modelVaries(modelName: string, axis: ModelAxisName): boolean {
  return models.find(modelName)?.axes[axis] !== undefined;
}

export type {
  Executor,
  ModelAxis,
  ModelAxisName,
  ModelConfig,
  ModelDefinition,
  ModelShape,
} from './types.ts';
export { modelAxisNames } from './types.ts';
