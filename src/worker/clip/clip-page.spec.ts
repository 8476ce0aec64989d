/**
 * The CLIP page's worker handlers on a generated tiny pool fed as folder file lists: rows equal
 * src/eval's evaluateClip on the models the CLI reads (readClipModel with the base), a recipe
 * row equals scoring the tower the merge engine writes, bad inputs fail with one line naming
 * the entry while what was loaded stays, AdaMerging runs, cancels and exports.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeMerge, createCpuBackend, newRecipe, planMerge } from '../../merge';
import {
  evaluateClip,
  headsToBytes,
  readClipModel,
  readVisionTower,
  type ClipModel,
} from '../../eval';
import { memorySink, memorySource, openCheckpointFromSources } from '../../io';
import { nodeCheckpointFolder, openCheckpointPath } from '../../io/node';
import { openClipFolder } from '../../eval';
import { CLIP_UNMERGED, toTensors } from '../../models';
import { writeTinyClipPool } from '../../eval/testing/clip-tiny-pool';
import { TINY_CLIP } from '../../eval/testing/clip-pool';
import type { WrittenPool } from '../../eval/testing/clip-write-pool';
import type { StudioSession } from '../session';
import { CLIP_PAGE_TASKS, context, folderInput, loadedPool, un } from '../testing/clip-page';

let dir = '';
let pool: WrittenPool;

const loaded = () => loadedPool(pool);

/** What the CLI's eval computes: readClipModel(model, base) scored with the base's heads. */
async function expected(model: ClipModel, session: StudioSession) {
  const base = session.clip.theBase();
  const tasks = session.clip.withTasks().map((f) => f.task);
  const params = toTensors(
    new Map([...model.vision, ['visual_projection.weight', model.projection]]),
  );
  const r = await evaluateClip(params, model.config, model.logitScale, base.preprocess, tasks);
  return Object.fromEntries([...r].map(([k, v]) => [k, v.accuracy]));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clip-page-'));
  pool = await writeTinyClipPool(dir, CLIP_PAGE_TASKS, { scale: 4 });
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the CLIP page handlers', () => {
  it('zero-shot, individual and merged rows equal evaluateClip on what the CLI reads', async () => {
    const { session, h } = await loaded();
    const baseCkpt = (await openClipFolder(nodeCheckpointFolder(pool.base))).checkpoint;
    const zero = await un(h.clipEvaluate({ target: 'zero-shot', label: 'zero-shot' }, context()));
    expect(zero.accuracy).toEqual(await expected(await readClipModel(baseCkpt), session));

    const individuals = await un(
      h.clipEvaluate({ target: 'individuals', label: 'fine-tuned' }, context()),
    );
    for (const t of CLIP_PAGE_TASKS) {
      const tuned = await openCheckpointPath(pool.finetunes.get(t.name)!);
      const own = await expected(await readClipModel(tuned, baseCkpt), session);
      expect(individuals.accuracy[t.name]).toBe(own[t.name]);
    }

    // The recipe through the engine's CPU writer, its tower scored: the direct path must agree.
    const names = session.clip.withTasks().map((f) => f.name);
    const recipe = { ...newRecipe('task_arithmetic', names, session.clip.theBase().name) };
    recipe.parameters = { ...recipe.parameters, lambda: 0.3 };
    recipe.taskSpecific = [...CLIP_UNMERGED];
    const merged = await un(h.clipEvaluate({ target: { recipe }, label: 'TA' }, context()));
    const plan = await planMerge(
      recipe,
      new Map(
        [session.clip.theBase(), ...session.clip.finetunes.values()].map((c) => [
          c.name,
          'folder' in c ? c.folder.checkpoint : c.checkpoint,
        ]),
      ),
    );
    const sink = memorySink('m.safetensors');
    await executeMerge(plan, createCpuBackend(), sink);
    const written = await openCheckpointFromSources(
      [memorySource(sink.bytes(), 'm.safetensors')],
      'm',
    );
    const model = await readClipModel(baseCkpt);
    const want = await expected({ ...model, vision: await readVisionTower(written) }, session);
    expect(merged.accuracy).toEqual(want);
    expect(Object.keys(merged.accuracy).sort()).toEqual(['eurosat', 'shapes']);
  }, 120_000);

  it('a heads file gives the task the saved head; one of other classes is refused', async () => {
    const { session, h, ids } = await loaded();
    const built = session.clip.finetune(ids[0]!).task!.head;
    const file = new File([(await headsToBytes([built])) as BlobPart], 'heads.safetensors');
    const data = await folderInput(pool.data.get('eurosat')!);
    const task = await un(
      h.clipAttachData(
        { id: ids[0]!, task: 'eurosat', data, heads: { kind: 'file', file } },
        context(),
      ),
    );
    expect([task.head, task.classNames]).toEqual(['heads file', built.classNames]);
    expect(session.clip.finetune(ids[0]!).task!.head.weight).toEqual(built.weight);
    // The 2-class shapes head saved under "eurosat" (3 classes in the data): refused, naming it.
    const shapes = session.clip.finetune(ids[1]!).task!.head;
    const wrong = await headsToBytes([{ ...shapes, task: 'eurosat' }]);
    const other = new File([wrong as BlobPart], 'h.safetensors');
    await expect(
      h.clipAttachData(
        { id: ids[0]!, task: 'eurosat', data, heads: { kind: 'file', file: other } },
        context(),
      ),
    ).rejects.toThrow(/h\.safetensors/);
  }, 120_000);

  it('a bad entry fails alone with one line naming it', async () => {
    const { session, h, ids } = await loaded();
    const empty = join(dir, 'empty-task');
    await mkdir(join(empty, 'cls'), { recursive: true });
    await writeFile(join(empty, 'cls', 'notes.txt'), 'not an image');
    await expect(
      h.clipAttachData({ id: ids[0]!, task: 'eurosat', data: await folderInput(empty) }, context()),
    ).rejects.toThrow(/empty-task: class folder with no images/);
    // A fine-tune of another size is refused, naming it and the differing size.
    const small = await writeTinyClipPool(join(dir, 'other'), CLIP_PAGE_TASKS.slice(0, 1), {
      shape: { ...TINY_CLIP, vision: { ...TINY_CLIP.vision, hidden_size: 16 } },
    });
    await expect(
      h.clipAddFinetune({ input: await folderInput(small.finetunes.get('eurosat')!) }, context()),
    ).rejects.toThrow(/hiddenSize 16 differs from the base/);
    expect(session.clip.withTasks().map((f) => f.task.images.task)).toEqual(['eurosat', 'shapes']);
  }, 120_000);

  it('AdaMerging runs a few steps, exports through the engine, and cancels', async () => {
    const { h } = await loaded();
    const options = { mode: 'layer' as const, steps: 2, batchSize: 2, batchesPerTask: 1 as const };
    const foot = await un(h.clipFootprint({ options }, context()));
    expect(foot.text).toMatch(/device memory/);
    const out = await un(h.clipAdamerge({ options, poolSize: 4 }, context()));
    const value = out;
    expect(value.result.stepsRun).toBe(2);
    expect(value.export.recipeYaml).toMatch(/merge_method: task_arithmetic/);
    expect(Object.keys(value.row.accuracy).sort()).toEqual(['eurosat', 'shapes']);
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the test'));
    await expect(
      h.clipAdamerge({ options: { ...options, steps: 50 } }, context(controller.signal)),
    ).rejects.toThrow(/cancelled by the test/);
  }, 120_000);
});
