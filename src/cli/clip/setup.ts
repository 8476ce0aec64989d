/**
 * What every CLIP command does before long work starts, with every input validated first: the
 * tfjs device, the model (+ CLIP base), preprocessing and tokenizer from the folder, and each
 * task's data and zero-shot head (built from class names, or read from `--heads`).
 */
import { parsePreprocessorConfig, type ClipPreprocessConfig } from '../../data';
import { loadClipTokenizer } from '../../data';
import { templatesFor } from '../../data';
import {
  buildZeroShotHeads,
  checkClipParts,
  checkTaskImages,
  headForTask,
  readClipModel,
  readHeads,
  type ClipModel,
  type TaskImages,
  type ZeroShotHead,
} from '../../eval';
import { nodeFileSource } from '../../io/node';
import { initTf, parseTfDevice, type TfDevice } from '../../tf';
import { nodeGpu } from '../../gpu/node-gpu';
import { CliUsageError } from '../types';
import { optionalSide, requiredSide, withClipFolders, type ClipFolders } from './open-model';
import { openTaskImages } from './open-data';
import type { NamedPath } from './task-args';

export async function startTf(device: string): Promise<TfDevice> {
  let parsed: TfDevice;
  try {
    parsed = parseTfDevice(device);
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
  return initTf(parsed, { gpu: parsed === 'webgpu' ? await nodeGpu() : null });
}

export function readPreprocess(folders: ClipFolders): ClipPreprocessConfig {
  const text = requiredSide(
    folders,
    'preprocessor_config.json',
    "the CLIP folder's image preprocessing",
  );
  return parsePreprocessorConfig(
    text,
    `${(folders.base ?? folders.model).name}/preprocessor_config.json`,
  );
}

export async function openTasks(
  tasks: readonly NamedPath[],
  needLabels: boolean,
): Promise<TaskImages[]> {
  if (tasks.length === 0) throw new CliUsageError('name at least one --task <name>=<data>');
  const out: TaskImages[] = [];
  for (const t of tasks) {
    const images = await openTaskImages(t.name, t.path);
    checkTaskImages(images, needLabels);
    out.push(images);
  }
  return out;
}

/** Heads for every task: from `--heads` when given, else built from class names. */
export async function headsFor(
  model: ClipModel,
  folders: ClipFolders,
  tasks: readonly TaskImages[],
  headsPath: string | undefined,
): Promise<ZeroShotHead[]> {
  if (headsPath) {
    const source = await nodeFileSource(headsPath);
    try {
      const heads = await readHeads(source);
      return tasks.map((t) => headForTask(heads, t.task, t.classNames, headsPath));
    } finally {
      await source.close();
    }
  }
  const tokenizer = loadClipTokenizer(
    requiredSide(folders, 'tokenizer.json', 'the CLIP tokenizer, for zero-shot heads'),
    optionalSide(folders, 'tokenizer_config.json'),
  );
  const requests = tasks.map((t) => {
    if (!t.classNames) {
      throw new CliUsageError(
        `${t.source}: task "${t.task}" names no classes; zero-shot heads need class names ` +
          '(class folders, Parquet label names) or --heads',
      );
    }
    return { task: t.task, classNames: t.classNames, templates: templatesFor(t.task) };
  });
  return buildZeroShotHeads(model, tokenizer, requests);
}

export interface ClipSetup {
  model: ClipModel;
  preprocess: ClipPreprocessConfig;
  tasks: TaskImages[];
  heads: ZeroShotHead[];
  device: TfDevice;
}

/** Opens and validates everything `eval` needs, in the order that fails fastest. */
export async function setupClipEval(options: {
  model: string;
  clip?: string;
  tasks: readonly NamedPath[];
  heads?: string;
  device: string;
}): Promise<ClipSetup> {
  return withClipFolders(options.model, options.clip, async (folders) => {
    checkClipParts(folders.model.checkpoint, folders.base?.checkpoint, { text: !options.heads });
    const preprocess = readPreprocess(folders);
    const tasks = await openTasks(options.tasks, true);
    const device = await startTf(options.device);
    const model = await readClipModel(folders.model.checkpoint, folders.base?.checkpoint, {
      text: !options.heads,
    });
    const heads = await headsFor(model, folders, tasks, options.heads);
    return { model, preprocess, tasks, heads, device };
  });
}
