/**
 * Where the time of one merge goes on WebGPU in Node: runs a bench case with the backend's
 * `profile` option and prints runtime.phases (ms; the queue drains between phases, so the
 * total is a little above an unprofiled run).
 * Usage: tsx bench/profile-merge.ts <poolDir> <caseId> [--scalar]  (--scalar: no ta_vec4 kernel)
 */
import { join } from 'node:path';
import { executeMerge, parseRecipe, planMerge } from '../src/merge';
import type { MergeCheckpoint } from '../src/merge';
import { memorySink } from '../src/io';
import { openCheckpointPath } from '../src/io/node';
import { nodeGpu } from '../src/gpu/node-gpu';
import { createWebGpuBackend } from '../src/gpu';
import { MERGE_CASES } from './merge-cases';
import { layerCount, layoutFromDir } from './pool-read';

const [poolDir, caseId] = process.argv.slice(2);
const mergeCase = MERGE_CASES.find((c) => c.id === caseId);
if (!poolDir || !mergeCase) {
  console.error('usage: profile-merge.ts <poolDir> <caseId>');
  process.exit(2);
}
const recipe = parseRecipe(
  mergeCase.yaml(layoutFromDir(poolDir).fineTunes, layerCount(layoutFromDir(poolDir))),
  'bench',
).recipe;
const checkpoints = new Map<string, MergeCheckpoint>();
for (const key of [recipe.baseModel, ...recipe.models.map((m) => m.model)]) {
  if (typeof key === 'string' && !checkpoints.has(key))
    checkpoints.set(key, await openCheckpointPath(join(poolDir, key)));
}
const gpu = await nodeGpu();
if (!gpu) throw new Error('no WebGPU adapter in Node');
const backend = createWebGpuBackend(gpu, {
  profile: true,
  vectorKernels: !process.argv.includes('--scalar'),
});
const start = performance.now();
await executeMerge(await planMerge(recipe, checkpoints), backend, memorySink('out'));
console.log(`${caseId}: ${((performance.now() - start) / 1000).toFixed(2)} s`);
for (const [phase, ms] of backend.runtime.phases) console.log(`  ${phase}: ${ms.toFixed(0)} ms`);
backend.dispose();
process.exit(0);
