/**
 * The CLIP panel's checkpoints as a scoring suite for the main panels: its tasks are the
 * fine-tunes' attached tasks (their zero-shot heads), the zero-shot row is the base's tower,
 * each fine-tune scores its own task with its own config, and a merge's encoder is its vision
 * tower (the text tower, projections and logit scale are the base's, never merged). Scorers
 * are ClipScorers on the session's PixelCache, so they share decoded images with the CLIP
 * panel's own rows and are made afresh whenever the tasks change.
 */
import { ClipScorer, readVisionTower, type ScoredTask } from '../../eval';
import { memorySource, openCheckpointFromSources } from '../../io';
import type { EncoderReader } from '../explore/merged-encoder';
import { cachedScorer, type ScoringSuite } from '../eval/scorers';
import type { StudioSession } from '../session';

/** The tensors of a CLIP merge that form the scored tower. */
export const CLIP_TOWER: EncoderReader = {
  keeps: (name) => name.startsWith('vision_model.') && !name.endsWith('.position_ids'),
  readMerged: async (bytes, name) =>
    readVisionTower(await openCheckpointFromSources([memorySource(bytes, name)], name)),
};

/** Whether `name` is the CLIP panel's base or one of its fine-tunes. */
export function isClipCheckpoint(session: StudioSession, name: string): boolean {
  const { base, finetunes } = session.clip;
  return base?.name === name || [...finetunes.values()].some((f) => f.name === name);
}

export function clipSuite(session: StudioSession): ScoringSuite {
  const { clip } = session;
  const base = clip.theBase();
  const tuned = clip.withTasks();
  const byTask = new Map(tuned.map((f) => [f.task.images.task, f]));
  const scored = (names: string[]): ScoredTask[] => names.map((n) => byTask.get(n)!.task);
  const make = (names: string[], ownTask: boolean) => () => {
    const own = ownTask ? byTask.get(names[0]!)!.config : undefined;
    return new ClipScorer({
      tasks: scored(names),
      config: own ? { ...own, text: base.model.config.text } : base.model.config,
      logitScale: base.model.logitScale,
      projection: base.model.projection,
      preprocess: base.preprocess,
      pixels: clip.pixels,
    });
  };
  return {
    kind: 'clip',
    tasks: tuned.map((f) => ({ name: f.task.images.task, title: f.task.images.task })),
    size: (task) => byTask.get(task)?.task.images.count ?? 0,
    scorer: (names, ownTask = false) =>
      cachedScorer(
        session,
        clip.pixels,
        `clip:${ownTask ? 'own:' : ''}${names.join(',')}`,
        make(names, ownTask),
      ),
    base: () => Promise.resolve(base.model.vision),
    individual: (task) => readVisionTower(byTask.get(task)!.checkpoint),
    checkpointOf: (task) => byTask.get(task)?.name ?? task,
    ...CLIP_TOWER,
  };
}
