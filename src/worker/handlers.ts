/**
 * The worker's request handlers, each given the one StudioSession the entry created (its
 * state) besides its params and context.
 */
import { METHODS, recipeToYaml } from '../merge';
import { reportCapabilities } from './capabilities';
import { checkCompatibility } from './checkpoints/compatibility';
import { loadCheckpoints } from './checkpoints/load';
import type { Handlers } from './serve';
import type { StudioSession } from './session';
import { runMerge } from './merge/run';
import { loadDemo } from './demo/load';
import { probeDemo } from './demo/zoo';
import { evaluate } from './eval/evaluate';
import { adamerge, setPaused } from './adamerging/run';
import { analyzeTaskVectors } from './analysis/run';
import { explore } from './explore/run';
import { clipHandlers } from './clip/handlers';
import { simoHandlers } from './simo/handlers';

export function studioHandlers(session: StudioSession): Handlers {
  const { registry } = session;
  return {
    capabilities: ({ gpu, tf }) => {
      session.gpuPreference = gpu;
      session.tfPreference = tf ?? 'auto';
      return reportCapabilities(gpu);
    },
    chooseBackend: async ({ remembered }) => {
      session.rememberedTf ??= remembered ?? null;
      const device = await session.tfDevice();
      return session.tfChoice ?? { device, how: 'only' };
    },
    loadCheckpoints: (params, context) => loadCheckpoints(registry, params, context),
    probeDemo: () => probeDemo(),
    loadDemo: async (_params, context) => {
      const loaded = await loadDemo(registry, context);
      // An evaluation follows: fetch the zoo's test sets while the page merges (not during
      // the checkpoints' own fetches, which it would slow down).
      session.theZoo().catch(() => undefined);
      return loaded;
    },
    removeCheckpoint: async ({ id }) => ({ removed: registry.remove(id) }),
    checkCompatibility: async (params) => checkCompatibility(registry, params),
    listMethods: async () => [...METHODS],
    recipeYaml: async ({ recipe }) => ({ yaml: recipeToYaml(recipe) }),
    merge: (params, context) => runMerge(session, params, context),
    evaluate: (params, context) => evaluate(session, params, context),
    explore: (params, context) => explore(session, params, context),
    adamerge: (params, context) => adamerge(session, params, context),
    adamergePause: (params) => setPaused(session, params),
    analyzeTaskVectors: (params, context) => analyzeTaskVectors(registry, params, context),
    ...clipHandlers(session),
    ...simoHandlers(session),
  };
}
