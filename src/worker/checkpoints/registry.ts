import type { TensorInfo } from '../../io/types';
import type { CheckpointSummary } from '../protocol';

/** A checkpoint the worker has opened: its summary for the UI, its tensor table for checks. */
export interface LoadedCheckpoint {
  summary: CheckpointSummary;
  /** Every tensor across all shards, by name. */
  tensors: ReadonlyMap<string, TensorInfo>;
}

/** The worker's loaded checkpoints. Ids are made here and are the UI's only reference. */
export class CheckpointRegistry {
  private readonly loaded = new Map<string, LoadedCheckpoint>();
  private counter = 0;

  nextId(): string {
    this.counter += 1;
    return `ckpt-${this.counter}`;
  }

  add(checkpoint: LoadedCheckpoint): void {
    this.loaded.set(checkpoint.summary.id, checkpoint);
  }

  remove(id: string): boolean {
    return this.loaded.delete(id);
  }

  get(id: string): LoadedCheckpoint {
    const found = this.loaded.get(id);
    if (!found) {
      throw Object.assign(new Error(`checkpoint ${id} is not loaded (removed?)`), {
        code: 'unknown-checkpoint',
      });
    }
    return found;
  }
}
