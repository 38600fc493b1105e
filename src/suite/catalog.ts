/**
 * The registries a suite is checked against: workloads and their params
 * (batch lab), models, server architectures, installed runtimes. Kept in
 * one place so resolve.ts stays testable with a fake catalog.
 */
import { ErrorCodes, LabError } from '../core/errors.ts';
import { modelNames, models } from '../models/index.ts';
import { knownRuntimeNames, resolveRuntime } from '../runtimes/registry.ts';
import { archNames } from '../servers/config.ts';
import { getWorkload, resolveParams, workloadNames } from '../workloads/index.ts';
import type { SuiteCatalog } from './resolve.ts';

export const defaultCatalog: SuiteCatalog = {
  workloadNames,
  resolveWorkloadParams(workload, raw) {
    return resolveParams(getWorkload(workload), raw);
  },
  modelNames,
  modelUsesConcurrency(model) {
    return models[model]?.usesConcurrency ?? true;
  },
  checkConcurrency(model, concurrency) {
    const max = models[model]?.maxConcurrency;
    if (max !== undefined && concurrency > max) {
      throw new LabError(
        ErrorCodes.BAD_PARAM,
        `concurrency ${concurrency} is above ${max}, the most model '${model}' allows`,
        {
          hint: `use a concurrency from 1 to ${max} for ${model}`,
        },
      );
    }
  },
  architectureNames: archNames,
  runtimeStatus(name) {
    // Unknown names (not a registry name, not a path) throw here: a typo is an error, not a skip.
    if (!knownRuntimeNames.includes(name) && !name.includes('/')) resolveRuntime(name);
    try {
      resolveRuntime(name);
      return 'installed';
    } catch (error) {
      if (error instanceof LabError) return { missing: error };
      throw error;
    }
  },
};
