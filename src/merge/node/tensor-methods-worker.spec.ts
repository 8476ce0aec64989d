import { describe, expect, it } from 'vitest';
import { memorySink, memorySinkFolder } from '../../io';
import { createCpuBackend } from '../cpu/index';
import { executeMerge } from '../executor/index';
import { fixtureCheckpoints } from '../testing-fixture-pool';
import { readFixture } from '../testing-read-fixture';
import { planMerge } from '../plan';
import { parseRecipe } from '../recipe/parse';
import { createCpuWorkerBackend } from './cpu-worker-backend';

const fixture = readFixture('./svd_merges.safetensors');
const models = (n: number) =>
  Array.from({ length: n }, (_, t) => `  - model: task${t + 1}\n`).join('');

describe("the CLI's CPU worker backend runs the catalogue's methods as the CPU backend does", () => {
  const recipes = {
    tsv_m: `merge_method: tsv_m\nbase_model: base\nmodels:\n${models(3)}`,
    emr: `merge_method: emr\nbase_model: base\nmodels:\n${models(3)}`,
    nuslerp_without_base: `merge_method: nuslerp\nmodels:\n${models(2)}`,
    karcher: `merge_method: karcher\nmodels:\n${models(3)}`,
  };
  for (const [label, yaml] of Object.entries(recipes)) {
    it(label, async () => {
      const ckpts = await fixtureCheckpoints(fixture);
      const plan = await planMerge(parseRecipe(yaml, 'r.yml').recipe, ckpts);
      const run = async (backend: ReturnType<typeof createCpuBackend>) => {
        const folder = memorySinkFolder();
        const sink = memorySink('m');
        const emr = plan.method.name === 'emr';
        try {
          await executeMerge(plan, backend, folder, emr ? { modulatorOutput: sink } : {});
        } finally {
          backend.dispose();
        }
        return [folder.files.get('model.safetensors')!, ...(emr ? [sink.bytes()] : [])];
      };
      const [cpu, worker] = [await run(createCpuBackend()), await run(createCpuWorkerBackend())];
      expect(worker).toEqual(cpu);
    });
  }
});
