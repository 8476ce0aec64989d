/**
 * The studio's main panels on CLIP checkpoints loaded through the CLIP panel (a generated tiny
 * pool fed as folder file lists): Results' rows (`evaluate`: zero-shot, individual, the last
 * merge of the main Run) and Live / the sweep (`explore`) score the CLIP tasks and equal the
 * CLIP panel's own rows (`clipEvaluate`, i.e. evaluateClip task by task), which the clip-page
 * spec ties to what the CLI reads; the main AdaMerging panel's request runs the CLIP run; the
 * task-vector analysis covers the vision towers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyClipPool } from '../../eval/testing/clip-tiny-pool';
import type { WrittenPool } from '../../eval/testing/clip-write-pool';
import type { NamedArray, Params } from '../../core';
import { memorySink, memorySource, openCheckpointFromSources, type Checkpoint } from '../../io';
import { openCheckpointPath } from '../../io/node';
import {
  createCpuBackend,
  executeMerge,
  parseRecipe,
  planMerge,
  taskVectors,
  tiesSelectedTaskVectors,
  type Recipe,
} from '../../merge';
import { CLIP_UNMERGED, toTensors } from '../../models';
import { modulatedEncoder, readModulators, readVisionTower } from '../../eval';
import { scoreTower } from './evaluate';
import type { EvalEvent, Methods, StepEvent } from '../protocol';
import type { HandlerContext } from '../serve';
import { CLIP_PAGE_TASKS, context, loadedPool, un } from '../testing/clip-page';

let dir = '';
let pool: WrittenPool;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clip-main-'));
  pool = await writeTinyClipPool(dir, CLIP_PAGE_TASKS, { scale: 4 });
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

/** What the main method form builds for these checkpoints (CLIP's unmerged parts task-specific). */
function mainRecipe(
  method: string,
  base: string,
  models: string[],
  parameters: Recipe['parameters'],
  perModel: Record<string, number> = {},
): Recipe {
  return {
    mergeMethod: method,
    baseModel: base,
    models: models.map((model) => ({ model, parameters: { weight: 1, ...perModel } })),
    parameters,
    randomSeed: 42,
    taskSpecific: [...CLIP_UNMERGED],
  };
}

const TASKS = CLIP_PAGE_TASKS.map((t) => t.name);

/** The pool's folders opened from disk under the names the page's registry gave them. */
async function pathInputs(): Promise<Map<string, Checkpoint>> {
  const inputs = new Map<string, Checkpoint>();
  for (const path of [pool.base, ...pool.finetunes.values()])
    inputs.set(basename(path), await openCheckpointPath(path));
  return inputs;
}

const inMemory = (bytes: Uint8Array, name: string) =>
  openCheckpointFromSources([memorySource(bytes, name)], name);

/** Those tensors of a folder's checkpoint, as F32. */
async function visionOf(path: string, names: string[]): Promise<Params> {
  const c = await openCheckpointPath(path);
  const read = async (n: string): Promise<[string, NamedArray]> => [
    n,
    { shape: [], data: await c.readF32(n) },
  ];
  try {
    return new Map(await Promise.all(names.map(read)));
  } finally {
    await c.close();
  }
}

describe('the main panels on CLIP checkpoints', () => {
  it("Results' zero-shot, individual and merged rows equal the CLIP panel's", async () => {
    const { session, h } = await loadedPool(pool);
    const base = session.clip.theBase().name;
    const tuned = session.clip.withTasks().map((f) => f.name);

    const zero = await un(h.evaluate({ target: 'base', label: 'zs', base }, context()));
    const clipZero = await un(h.clipEvaluate({ target: 'zero-shot', label: 'zs' }, context()));
    expect(zero.tasks.map((t) => t.name)).toEqual(TASKS);
    expect(zero.accuracy).toEqual(clipZero.accuracy);

    const own = await un(h.evaluate({ target: 'individuals', label: 'ft', base }, context()));
    const clipOwn = await un(h.clipEvaluate({ target: 'individuals', label: 'ft' }, context()));
    expect(own.accuracy).toEqual(clipOwn.accuracy);

    // TIES from the main Run panel (the engine writes it into memory), then Results' Evaluate.
    const recipe = mainRecipe('ties', base, tuned, { lambda: 0.3 }, { density: 0.2 });
    const target = { kind: 'memory' as const, fileName: 'merged.safetensors' };
    await un(h.merge({ recipe, target }, context()));
    const merged = await un(h.evaluate({ target: 'merged', label: 'TIES' }, context()));
    const clipMerged = await un(h.clipEvaluate({ target: { recipe }, label: 'TIES' }, context()));
    expect(merged.accuracy).toEqual(clipMerged.accuracy);
    expect(Object.keys(merged.accuracy)).toEqual(TASKS);
    // The CLIP suite was chosen from the merge's own checkpoints.
    expect(new Set(session.lastMergedFrom)).toEqual(new Set([base, ...tuned]));
  }, 240_000);

  it('Live (estimate, then the full sets) and the two-task sweep score the CLIP tasks', async () => {
    const { session, h } = await loadedPool(pool);
    const base = session.clip.theBase().name;
    const tuned = session.clip.withTasks().map((f) => f.name);
    const recipe = mainRecipe('task_arithmetic', base, tuned, { lambda: 0.5 });
    const estimates: Methods['explore']['events'][] = [];
    const live = {
      signal: new AbortController().signal,
      emit: (e: Methods['explore']['events']) => estimates.push(e),
    } as unknown as HandlerContext<'explore'>;
    const full = await un(h.explore({ recipe, label: 'Live', estimate: 2 }, live));
    expect(full.path).toBe('direct');
    expect(estimates.map((e) => e.images)).toEqual([2]);
    expect(Object.keys(estimates[0]!.accuracy)).toEqual(TASKS);
    const clipRow = await un(h.clipEvaluate({ target: { recipe }, label: 'TA' }, context()));
    expect(full.accuracy).toEqual(clipRow.accuracy);
    expect(full.images).toBe(
      Math.max(...CLIP_PAGE_TASKS.map((t) => t.perClass * t.classNames.length)),
    );

    // The sweep scores two tasks of the same merge: the same numbers for those two.
    const two = await un(h.explore({ recipe, label: 'sweep', tasks: ['shapes'] }, context()));
    expect(two.accuracy).toEqual({ shapes: full.accuracy.shapes });
    // Another method goes through the engine into memory: still CLIP's tasks.
    const ties = mainRecipe('ties', base, tuned, { lambda: 0.3 }, { density: 0.2 });
    const viaEngine = await un(h.explore({ recipe: ties, label: 'TIES' }, context()));
    expect(viaEngine.path).toBe('engine');
    const clipTies = await un(h.clipEvaluate({ target: { recipe: ties }, label: 'T' }, context()));
    expect(viaEngine.accuracy).toEqual(clipTies.accuracy);
    await expect(h.explore({ recipe, label: 'x', tasks: ['mnist'] }, context())).rejects.toThrow(
      /Unknown task in mnist; the CLIP tasks are eurosat, shapes/,
    );
  }, 240_000);

  it("the main AdaMerging panel learns on the CLIP tasks when the base is the CLIP panel's", async () => {
    const { session, h } = await loadedPool(pool);
    const base = session.clip.theBase().name;
    const tuned = session.clip.withTasks().map((f) => f.name);
    const options = {
      mode: 'task' as const,
      steps: 2,
      batchSize: 2,
      batchesPerTask: 1 as const,
      lr: 0.2,
      evalEvery: 1,
      evalLimit: 3,
    };
    const steps: StepEvent[] = [];
    const evals: EvalEvent[] = [];
    const ctx = {
      signal: new AbortController().signal,
      emit: (e: Methods['adamerge']['events']) => {
        if (e.type === 'step') steps.push(e.step);
        if (e.type === 'eval') evals.push(e.eval);
      },
    } as unknown as HandlerContext<'adamerge'>;
    const out = await un(h.adamerge({ options, base }, ctx));
    expect(out.result.stepsRun).toBe(2);
    expect(steps.length).toBe(2);
    // Evaluations while learning: each equals the CLIP panel's row of task arithmetic at that
    // step's λ (θ₀ + Σλτ), on the same first 3 images per task.
    expect(evals.map((e) => e.step)).toEqual([1, 2]);
    for (const [i, evaluation] of evals.entries()) {
      const lambdas = steps[i]!.lambdas.map((row) => row[0]!);
      const recipe: Recipe = {
        mergeMethod: 'task_arithmetic',
        baseModel: base,
        models: tuned.map((model, k) => ({ model, parameters: { weight: lambdas[k]! } })),
        parameters: { normalize: false, lambda: 1 },
        taskSpecific: [...CLIP_UNMERGED],
      };
      const row = await un(
        h.clipEvaluate({ target: { recipe }, label: 'at', limit: 3 }, context()),
      );
      expect(evaluation.accuracyPerTask).toEqual(TASKS.map((t) => row.accuracy[t]));
      expect(evaluation.images).toBe(3);
    }
    expect(out.tasks.map((t) => t.name)).toEqual(TASKS);
    expect(Object.keys(out.accuracy)).toEqual(TASKS);
    expect(out.export.recipeYaml).toMatch(/merge_method: task_arithmetic/);
    expect(out.export.recipeYaml).toContain(base);
  }, 240_000);

  it('AdaMerging++ (layer-wise) on CLIP exports a recipe the engine re-runs to the same tensors', async () => {
    const { session, h } = await loadedPool(pool);
    const base = session.clip.theBase().name;
    const options = {
      mode: 'layer' as const,
      plus: true,
      steps: 3,
      batchSize: 2,
      batchesPerTask: 1 as const,
      lr: 0.05,
    };
    const out = await un(h.adamerge({ options, base }, context()));
    expect(out.result.plus).toBe(true);
    expect(out.export.fileName).toMatch(/-plus\.safetensors$/);
    // λ moved off its start, so the comparison below is not the one at λ = 0.3 everywhere.
    expect(out.result.lambdas.flat().some((x) => Math.abs(x - 0.3) > 1e-3)).toBe(true);

    // The exported recipe, parsed and run by the engine on the folders read from disk.
    const { recipe } = parseRecipe(out.export.recipeYaml);
    expect(recipe.mergeMethod).toBe('ties');
    expect(recipe.parameters?.elect).toBe('unweighted');
    const inputs = await pathInputs();
    const plan = await planMerge(recipe, inputs);
    const sink = memorySink('again.safetensors');
    await executeMerge(plan, createCpuBackend(), sink, { signal: new AbortController().signal });
    await Promise.all([...inputs.values()].map((c) => c.close()));
    const exported = await inMemory(out.export.bytes, 'exported.safetensors');
    const again = await inMemory(sink.bytes(), 'again.safetensors');
    expect([...again.tensors.keys()]).toEqual([...exported.tensors.keys()]);
    for (const name of exported.tensors.keys()) {
      const [a, b] = await Promise.all([exported.readRaw(name), again.readRaw(name)]);
      expect(Buffer.compare(Buffer.from(a), Buffer.from(b)), name).toBe(0);
    }

    // The export is θ₀ + Σ λ·TIES-selected τ computed from the files, with the learned λ per
    // tensor and AdaMerging++'s own selection (merge's tiesSelectedTaskVectors at density 0.2).
    const { tensorNames, lambdas } = out.result;
    const theta0 = await visionOf(pool.base, tensorNames);
    const vectors = await Promise.all(
      TASKS.map(async (t) =>
        taskVectors(theta0, await visionOf(pool.finetunes.get(t)!, tensorNames), () => true, t),
      ),
    );
    const selected = tiesSelectedTaskVectors(vectors, 0.2);
    let worst = 0;
    let moved = 0;
    for (const [l, name] of tensorNames.entries()) {
      const got = await exported.readF32(name);
      theta0.get(name)!.data.forEach((b, i) => {
        let want = b;
        TASKS.forEach((_, k) => (want += lambdas[k]![l]! * selected[k]!.get(name)!.data[i]!));
        worst = Math.max(worst, Math.abs(got[i]! - want));
        if (want !== b) moved++;
      });
    }
    expect(moved).toBeGreaterThan(100);
    expect(worst).toBeLessThan(1e-6);
  }, 240_000);

  it("EMR on CLIP: Results' per-task row scores each task with its own modulated tower", async () => {
    const { session, h } = await loadedPool(pool);
    const clipBase = session.clip.theBase();
    const tuned = session.clip.withTasks();
    const recipe: Recipe = {
      ...mainRecipe(
        'emr',
        clipBase.name,
        tuned.map((f) => f.name),
        {},
      ),
      models: tuned.map((f) => ({ model: f.name, parameters: {} })),
    };
    const target = { kind: 'memory' as const, fileName: 'merged.safetensors' };
    const outcome = await un(h.merge({ recipe, target }, context()));
    expect(outcome.modulators).toBeDefined();
    const page = await un(h.evaluate({ target: 'merged', label: 'emr' }, context()));
    expect(Object.keys(page.accuracy)).toEqual(TASKS);

    // Independently: each task's θ₀ + λₜ·mₜ⊙(merged − θ₀) from the files the merge gave,
    // scored by the CLIP panel's own path (evaluateClip) on that task.
    const merged = await readVisionTower(await inMemory(outcome.bytes!, 'merged.safetensors'));
    const modulators = await readModulators(
      memorySource(outcome.modulators!.bytes, 'emr_modulators.safetensors'),
      merged,
    );
    const theta0 = await visionOf(pool.base, [...merged.keys()]);
    let changed = false;
    for (const f of tuned) {
      const name = f.task.images.task;
      const own = modulatedEncoder(merged, modulators, theta0, { name, checkpoint: f.name });
      changed ||= [...own].some(([n, t]) => t.data !== merged.get(n)!.data);
      const scored = await scoreTower(toTensors(own), clipBase.model.config, clipBase, [f.task], {
        signal: new AbortController().signal,
        onProgress: () => undefined,
      });
      expect(page.accuracy[name], name).toBe(scored.get(name)!.accuracy);
    }
    // The modulators reach the tensors: without them this would score the unified model.
    expect(changed).toBe(true);
  }, 240_000);

  it('the task-vector analysis covers the vision towers, block by block', async () => {
    const { session, h, ids } = await loadedPool(pool);
    const baseId = session.clip.theBase().id;
    const taskFilter = CLIP_UNMERGED.join(', ');
    const result = await un(h.analyzeTaskVectors({ baseId, ids, taskFilter }, context()));
    expect(result.tasks).toEqual(session.clip.withTasks().map((f) => f.name));
    expect(result.norms.every((n) => n > 0)).toBe(true);
    expect(result.cosine[0]![0]).toBeCloseTo(1, 6);
    const blocks = result.layers.filter((l) => l.layer !== null);
    expect(blocks.length).toBeGreaterThan(1);
  }, 120_000);
});
