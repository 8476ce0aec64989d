/**
 * The CLIP page's loading handlers: the base (a CLIPModel folder: vision tower, projection,
 * logit scale, text tower, preprocessing, tokenizer), fine-tuned towers checked against it,
 * and each fine-tune's task (its data, and its zero-shot head built once from the data's
 * class names or read from a heads file). Base and fine-tunes also join the session's
 * checkpoint registry, so merge recipes name them like any loaded checkpoint.
 */
import {
  loadClipTokenizer,
  parsePreprocessorConfig,
  templatesFor,
  type ClipPreprocessConfig,
} from '../../data';
import {
  buildZeroShotHeads,
  checkClipParts,
  checkFinetune,
  checkTaskImages,
  headForTask,
  openClipFolder,
  readClipModel,
  readHeads,
  sideFile,
  type ClipFolder,
  type TaskImages,
  type ZeroShotHead,
} from '../../eval';
import { openCheckpointFolder, type Checkpoint } from '../../io';
import { CLIP_UNMERGED } from '../../models';
import type { Methods } from '../protocol';
import type { HandlerContext } from '../serve';
import type { StudioSession } from '../session';
import { summarize } from '../checkpoints/open';
import { headsSourceOf, modelFolderOf, taskImagesOf } from './inputs';
import type { ClipModelSummary, ClipTaskSummary } from './protocol';
import { clipError, type ClipBase } from './state';

function register(
  session: StudioSession,
  checkpoint: Checkpoint,
  role: ClipModelSummary['role'],
): ClipModelSummary {
  const { registry } = session;
  const id = registry.nextId();
  const summary = summarize(id, registry.uniqueName(checkpoint.name), checkpoint, true);
  registry.add({ summary, checkpoint });
  return {
    id,
    name: summary.name,
    role,
    architecture: summary.architecture ?? 'unknown',
    parameterCount: summary.parameterCount,
    checkpoint: summary,
    unmerged: [...CLIP_UNMERGED],
  };
}

function preprocessOf(folder: ClipFolder): ClipPreprocessConfig {
  const text = sideFile('preprocessor_config.json', 'the image preprocessing', folder);
  return parsePreprocessorConfig(text, `${folder.name}/preprocessor_config.json`);
}

/** Drops the base and every fine-tune (a new base invalidates their checks and heads). */
function clear(session: StudioSession): void {
  const { clip, registry } = session;
  if (clip.base) registry.remove(clip.base.id);
  for (const id of clip.finetunes.keys()) registry.remove(id);
  clip.base = null;
  clip.finetunes.clear();
  clip.tasksChanged();
}

export async function loadClipBase(
  session: StudioSession,
  { input }: Methods['clipLoadBase']['params'],
): Promise<ClipModelSummary> {
  const folder = await openClipFolder(await modelFolderOf(input));
  const parts = checkClipParts(folder.checkpoint, undefined);
  const preprocess = preprocessOf(folder);
  const model = await readClipModel(folder.checkpoint, undefined, { text: !!parts.model.text });
  clear(session);
  const summary = register(session, folder.checkpoint, 'base');
  const base: ClipBase = { id: summary.id, name: summary.name, folder, model, preprocess };
  session.clip.base = base;
  return summary;
}

export async function addClipFinetune(
  session: StudioSession,
  { input }: Methods['clipAddFinetune']['params'],
): Promise<ClipModelSummary> {
  const base = session.clip.theBase();
  const checkpoint = await openCheckpointFolder(await modelFolderOf(input));
  const config = checkFinetune(checkpoint, base.model.config, base.name);
  const summary = register(session, checkpoint, 'finetune');
  session.clip.finetunes.set(summary.id, {
    id: summary.id,
    name: summary.name,
    checkpoint,
    config,
  });
  return summary;
}

async function headOf(
  base: ClipBase,
  images: TaskImages,
  heads: Methods['clipAttachData']['params']['heads'],
): Promise<ZeroShotHead> {
  if (heads) {
    const source = await headsSourceOf(heads);
    return headForTask(await readHeads(source), images.task, images.classNames, source.name);
  }
  if (!images.classNames) {
    throw clipError(
      'no-class-names',
      `${images.source}: task "${images.task}" names no classes; zero-shot heads need class ` +
        'names (class folders, Parquet label names) or a heads file',
    );
  }
  const tokenizer = loadClipTokenizer(
    sideFile('tokenizer.json', 'the CLIP tokenizer, for zero-shot heads', base.folder),
    base.folder.side['tokenizer_config.json'],
  );
  const request = {
    task: images.task,
    classNames: images.classNames,
    templates: templatesFor(images.task),
  };
  const [head] = await buildZeroShotHeads(base.model, tokenizer, [request]);
  return head!;
}

export async function attachClipData(
  session: StudioSession,
  { id, task, data, heads }: Methods['clipAttachData']['params'],
  { emit }: HandlerContext<'clipAttachData'>,
): Promise<ClipTaskSummary> {
  const { clip } = session;
  const base = clip.theBase();
  const finetune = clip.finetune(id);
  const name = task.trim();
  if (!name) throw clipError('bad-task', 'give the task a name');
  const other = [...clip.finetunes.values()].find(
    (f) => f.id !== id && f.task?.images.task === name,
  );
  if (other) throw clipError('bad-task', `task "${name}" is already attached to ${other.name}`);
  emit({ type: 'progress', progress: { status: 'initiate', task: `reading ${name}'s data` } });
  const images = await taskImagesOf(name, data);
  checkTaskImages(images, false);
  await session.tfDevice(); // the head goes through the text tower on tfjs
  const head = await headOf(base, images, heads);
  finetune.task = { images, head };
  session.clip.tasksChanged();
  return {
    task: name,
    source: images.source,
    images: images.count,
    labelled: images.labelled,
    classNames: head.classNames,
    head: heads ? 'heads file' : 'class names',
  };
}

export async function removeClipEntry(
  session: StudioSession,
  { id }: Methods['clipRemove']['params'],
): Promise<{ removed: boolean }> {
  const { clip, registry } = session;
  if (clip.base?.id === id) {
    clear(session);
    return { removed: true };
  }
  const removed = clip.finetunes.delete(id);
  if (removed) {
    registry.remove(id);
    clip.tasksChanged();
  }
  return { removed };
}
