/**
 * What the studio's main panels (Results, the Live slider, the sweep, AdaMerging's final score)
 * score on: the v1 demo zoo's test sets, or the tasks attached in the CLIP panel. A suite names
 * its tasks and sizes, makes (session-cached) EncoderScorers, and gives the reference encoders
 * (the base's for the zero-shot row, each fine-tune's for its own task) and the way a merge's
 * encoder is read. The handlers never ask which family it is; `suiteFor` decides from the
 * checkpoints a request is about.
 */
import { encoderOf, readEncoder, ZooScorer } from '../../eval';
import { memorySource } from '../../io';
import type { LoadedZoo } from '../../zoo';
import { cachedScorer, type ScoringSuite, type TaskInfo } from './scorers';
import type { StudioSession } from '../session';
import { clipSuite, isClipCheckpoint } from '../clip/suite';

export function zooSuite(session: StudioSession, zoo: LoadedZoo): ScoringSuite {
  const { headPrefix, model, tasks } = zoo.manifest;
  const checkpoint = (task: string) => zoo.checkpoints.get(task)!;
  return {
    kind: 'zoo',
    tasks: tasks.map((t) => ({ name: t.name, title: t.title })),
    size: (task) => zoo.testSets.get(task)?.count ?? 0,
    scorer: (names) =>
      cachedScorer(session, zoo, `zoo:${names.join(',')}`, () => new ZooScorer(zoo, names)),
    base: () => Promise.resolve(encoderOf(zoo.base, headPrefix)),
    individual: (task) => Promise.resolve(encoderOf(checkpoint(task), headPrefix)),
    checkpointOf: (task) => tasks.find((t) => t.name === task)?.checkpoint ?? task,
    keeps: () => true,
    readMerged: (bytes, name) => readEncoder(memorySource(bytes, name), model.config),
  };
}

/** The CLIP panel's suite when any of `models` is one of its checkpoints, else the zoo's. */
export async function suiteFor(
  session: StudioSession,
  models: readonly string[],
): Promise<ScoringSuite> {
  if (models.some((name) => isClipCheckpoint(session, name))) return clipSuite(session);
  return zooSuite(session, await session.theZoo());
}

/** `wanted` (all when absent) in the suite's order; an unknown name is one line naming them. */
export function chooseTasks(suite: ScoringSuite, wanted: string[] | undefined): TaskInfo[] {
  if (!wanted) return [...suite.tasks];
  const set = new Set(wanted);
  const kept = suite.tasks.filter((t) => set.has(t.name));
  if (kept.length !== set.size) {
    const known = suite.tasks.map((t) => t.name).join(', ');
    const where = suite.kind === 'zoo' ? 'the demo has' : 'the CLIP tasks are';
    throw Object.assign(new Error(`Unknown task in ${wanted.join(', ')}; ${where} ${known}.`), {
      code: 'unknown-task',
    });
  }
  return kept;
}
