/**
 * What the CLIP page has loaded, kept on the StudioSession: the base (its ClipFolder, the
 * assembled model with text tower, preprocessing), and per fine-tune its checkpoint and the
 * task attached to it (data + zero-shot head, the head built once and cached here).
 */
import type { ClipPreprocessConfig } from '../../data';
import {
  PixelCache,
  type ClipFolder,
  type ClipModel,
  type TaskImages,
  type ZeroShotHead,
} from '../../eval';
import type { Checkpoint } from '../../io';
import type { ClipConfig } from '../../models';

export interface ClipBase {
  id: string;
  name: string;
  folder: ClipFolder;
  model: ClipModel;
  preprocess: ClipPreprocessConfig;
}

export interface ClipTask {
  images: TaskImages;
  head: ZeroShotHead;
}

export interface ClipFinetune {
  id: string;
  name: string;
  checkpoint: Checkpoint;
  config: ClipConfig;
  task?: ClipTask;
}

export class ClipStudioState {
  base: ClipBase | null = null;
  readonly finetunes = new Map<string, ClipFinetune>();
  /** Preprocessed test images shared by every evaluation of the attached tasks. */
  pixels = new PixelCache();

  /** A task attached or dropped: the cache starts afresh (its budget counts only live tasks). */
  tasksChanged(): void {
    this.pixels = new PixelCache();
  }

  theBase(): ClipBase {
    if (!this.base) throw clipError('no-clip-base', 'Load a CLIP base (a CLIPModel folder) first.');
    return this.base;
  }

  finetune(id: string): ClipFinetune {
    const found = this.finetunes.get(id);
    if (!found) throw clipError('unknown-checkpoint', `fine-tune ${id} is not loaded (removed?)`);
    return found;
  }

  /** The fine-tunes with a task, in load order; an error naming the first without one. */
  withTasks(): (ClipFinetune & { task: ClipTask })[] {
    const all = [...this.finetunes.values()];
    if (all.length === 0) throw clipError('no-finetunes', 'Add at least one fine-tuned tower.');
    const missing = all.find((f) => !f.task);
    if (missing) throw clipError('no-task', `${missing.name}: attach a task (its data) first.`);
    return all as (ClipFinetune & { task: ClipTask })[];
  }
}

/** An error the UI shows as it is: a code and one sentence. */
export function clipError(code: string, message: string, file?: string): Error {
  return Object.assign(new Error(message), { code, ...(file ? { file } : {}) });
}
