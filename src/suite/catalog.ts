/**
 * The registries a suite is checked against: workloads and their params
 * (batch lab), models, server architectures, installed runtimes. Kept in
 * one place so resolve.ts stays testable with a fake catalog.
 */
import { LabError } from '../core/errors.ts';
import { models } from '../models/registry.ts';
import { knownRuntimeNames, resolveRuntime } from '../runtimes/registry.ts';
import { checkApp } from '../servers/driver/app-check.ts';
import { architectures } from '../servers/subject/arch/registry.ts';
import { getWorkload, resolveParams } from '../workloads/index.ts';
import type { SuiteCatalog } from './resolve.ts';

export const defaultCatalog: SuiteCatalog = {
  resolveWorkload: (workload, baseDir) => getWorkload(workload, baseDir).name,
  resolveWorkloadParams(workload, raw) {
    return resolveParams(getWorkload(workload), raw);
  },
  // Getters: a model or architecture registered after this module loaded (a test's fixture) counts too.
  get modelNames() {
    return models.names();
  },
  model: (name) => models.get(name),
  get architectureNames() {
    return architectures.names();
  },
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
  checkApp: (path, runtime, what) => checkApp(path, resolveRuntime(runtime), what),
};
