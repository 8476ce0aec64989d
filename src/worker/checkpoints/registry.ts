import type { Checkpoint } from '../../io';
import type { CheckpointSummary } from '../protocol';

/** A checkpoint the worker has opened: its summary for the UI, the io checkpoint for work. */
export interface LoadedCheckpoint {
  summary: CheckpointSummary;
  checkpoint: Checkpoint;
}

/** The worker's loaded checkpoints. Ids are made here and are the UI's only reference. */
export class CheckpointRegistry {
  private readonly loaded = new Map<string, LoadedCheckpoint>();
  private counter = 0;

  nextId(): string {
    this.counter += 1;
    return `ckpt-${this.counter}`;
  }

  /** Names label rows, messages and recipe entries, so two loaded checkpoints never share one. */
  uniqueName(wanted: string): string {
    const taken = new Set([...this.loaded.values()].map((c) => c.summary.name));
    if (!taken.has(wanted)) return wanted;
    for (let n = 2; ; n++) if (!taken.has(`${wanted} (${n})`)) return `${wanted} (${n})`;
  }

  add(checkpoint: LoadedCheckpoint): void {
    this.loaded.set(checkpoint.summary.id, checkpoint);
  }

  remove(id: string): boolean {
    return this.loaded.delete(id);
  }

  /** Recipes name models by their (unique) checkpoint names. */
  byName(name: string): LoadedCheckpoint | undefined {
    return [...this.loaded.values()].find((c) => c.summary.name === name);
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
