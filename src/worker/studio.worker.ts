/**
 * The studio's module worker: every heavy or I/O-bound step runs here, reached only through
 * the typed protocol. Imports core code only (io, gpu, later merge/eval), never UI code.
 */
import { METHODS } from '../merge/registry';
import { recipeToYaml } from '../merge/recipe/serialize';
import { reportCapabilities } from './capabilities';
import { checkCompatibility } from './checkpoints/compatibility';
import { loadCheckpoints } from './checkpoints/load';
import { CheckpointRegistry } from './checkpoints/registry';
import type { Endpoint } from './endpoint';
import { serve, type Handlers } from './serve';
import { setGpuPreference } from './merge/backend';
import { runMerge } from './merge/run';
import { loadDemo } from './demo/load';
import { probeDemo } from './demo/zoo';
import { evaluate, setTfPreference } from './eval/evaluate';
import { adamerge, setPaused } from './adamerging/run';
import { analyzeTaskVectors } from './analysis/run';
import { explore } from './explore/run';

const registry = new CheckpointRegistry();

const handlers: Handlers = {
  capabilities: ({ gpu, tf }) => {
    setGpuPreference(gpu);
    setTfPreference(tf ?? 'auto');
    return reportCapabilities(gpu);
  },
  loadCheckpoints: (params, context) => loadCheckpoints(registry, params, context),
  probeDemo: () => probeDemo(),
  loadDemo: (_params, context) => loadDemo(registry, context),
  removeCheckpoint: async ({ id }) => ({ removed: registry.remove(id) }),
  checkCompatibility: async (params) => checkCompatibility(registry, params),
  listMethods: async () => [...METHODS],
  recipeYaml: async ({ recipe }) => ({ yaml: recipeToYaml(recipe) }),
  merge: (params, context) => runMerge(registry, params, context),
  evaluate: (params, context) => evaluate(params, context),
  explore: (params, context) => explore(registry, params, context),
  adamerge: (params, context) => adamerge(params, context),
  adamergePause: (params) => setPaused(params),
  analyzeTaskVectors: (params, context) => analyzeTaskVectors(registry, params, context),
};

serve(self as unknown as Endpoint, handlers);
