/**
 * Sharded output in the Hugging Face layout: `model.safetensors` when everything fits in one
 * shard, else `model-0000i-of-0000N.safetensors` plus `model.safetensors.index.json`
 * ({"metadata": {"total_size"}, "weight_map"}), written last. Every shard stays open (unpublished)
 * until finish(), so an abort leaves no output at all.
 */
import { SafetensorsError } from './errors';
import { SafetensorsWriter, checkTensorSpecs, type TensorSpec } from './safetensors-writer';
import { tensorByteSize } from './tensor-summary';
import type { SinkFolder } from './types';

export const SINGLE_FILE_NAME = 'model.safetensors';
export const INDEX_FILE_NAME = 'model.safetensors.index.json';
export const DEFAULT_MAX_SHARD_BYTES = 5e9;

export interface ShardPlan {
  fileName: string;
  specs: TensorSpec[];
  /** Tensor data bytes (header excluded). */
  bytes: number;
}

const pad5 = (n: number) => String(n).padStart(5, '0');

/** Greedy in spec order; a tensor larger than the limit gets a shard of its own. */
export function planShards(
  specs: readonly TensorSpec[],
  maxShardBytes = DEFAULT_MAX_SHARD_BYTES,
): ShardPlan[] {
  const groups: { specs: TensorSpec[]; bytes: number }[] = [];
  let current: { specs: TensorSpec[]; bytes: number } | undefined;
  for (const spec of specs) {
    const size = tensorByteSize(spec.dtype, spec.shape);
    if (!current || (current.specs.length > 0 && current.bytes + size > maxShardBytes)) {
      current = { specs: [], bytes: 0 };
      groups.push(current);
    }
    current.specs.push(spec);
    current.bytes += size;
  }
  if (groups.length === 0) groups.push({ specs: [], bytes: 0 });
  const n = groups.length;
  return groups.map((g, i) => ({
    ...g,
    fileName: n === 1 ? SINGLE_FILE_NAME : `model-${pad5(i + 1)}-of-${pad5(n)}.safetensors`,
  }));
}

export interface ShardedWriteOptions {
  maxShardBytes?: number;
  /** Stored in every shard's header. */
  metadata?: Record<string, string>;
}

export class ShardedWriter {
  readonly plan: ShardPlan[];
  private readonly writers: (SafetensorsWriter | undefined)[];
  private readonly shardOf = new Map<string, number>();
  private state: 'open' | 'finished' | 'aborted' = 'open';

  constructor(
    private readonly folder: SinkFolder,
    private readonly specs: readonly TensorSpec[],
    private readonly options: ShardedWriteOptions = {},
  ) {
    checkTensorSpecs(INDEX_FILE_NAME, specs);
    this.plan = planShards(specs, options.maxShardBytes);
    this.writers = this.plan.map(() => undefined);
    this.plan.forEach((shard, i) => shard.specs.forEach((s) => this.shardOf.set(s.name, i)));
  }

  /** Total tensor data bytes, as recorded in the index's total_size. */
  get totalSize(): number {
    return this.plan.reduce((n, s) => n + s.bytes, 0);
  }

  /** Streams one tensor; must be called in spec order with exactly the tensor's bytes. */
  writeTensor(name: string, bytes: Uint8Array): Promise<void> {
    return this.writeTensorPart(name, bytes, true);
  }

  /** One part of the next tensor (SafetensorsWriter.writeTensorPart); `last` closes it. */
  async writeTensorPart(name: string, bytes: Uint8Array, last: boolean): Promise<void> {
    const shard = this.shardOf.get(name);
    if (this.state !== 'open' || shard === undefined) {
      const problem =
        this.state === 'open' ? 'not in the planned output' : `writer is ${this.state}`;
      await this.abort();
      throw new SafetensorsError(this.plan[0]!.fileName, name, problem);
    }
    try {
      const writer = await this.writerFor(shard);
      await writer.writeTensorPart(name, bytes, last);
    } catch (e) {
      await this.abort(e);
      throw e;
    }
  }

  async finish(): Promise<void> {
    if (this.state !== 'open')
      throw new SafetensorsError(INDEX_FILE_NAME, undefined, `writer is ${this.state}`);
    try {
      // Check completeness before publishing anything, so an early finish() publishes nothing.
      for (let i = 0; i < this.plan.length; i++) {
        const missing = (await this.writerFor(i)).expectedNext;
        if (missing !== undefined) {
          throw new SafetensorsError(
            this.plan[i]!.fileName,
            missing,
            'finish() called before this tensor was written',
          );
        }
      }
      // Shards before the index, so a reader never sees an index pointing at missing shards.
      for (let i = 0; i < this.plan.length; i++) await (await this.writerFor(i)).finish();
      if (this.plan.length > 1) await this.writeIndex();
      this.state = 'finished';
    } catch (e) {
      await this.abort(e);
      throw e;
    }
  }

  async abort(reason?: unknown): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    await Promise.all(this.writers.map((w) => w?.abort(reason)));
  }

  private async writerFor(shard: number): Promise<SafetensorsWriter> {
    let writer = this.writers[shard];
    if (!writer) {
      const plan = this.plan[shard]!;
      const sink = await this.folder.createSink(plan.fileName);
      writer = new SafetensorsWriter(sink, plan.specs, this.options.metadata);
      this.writers[shard] = writer;
    }
    return writer;
  }

  private async writeIndex(): Promise<void> {
    const weightMap: Record<string, string> = {};
    for (const spec of this.specs)
      weightMap[spec.name] = this.plan[this.shardOf.get(spec.name)!]!.fileName;
    const index = { metadata: { total_size: this.totalSize }, weight_map: weightMap };
    const sink = await this.folder.createSink(INDEX_FILE_NAME);
    try {
      await sink.write(new TextEncoder().encode(JSON.stringify(index, null, 2) + '\n'));
      await sink.close();
    } catch (e) {
      await sink.abort(e);
      throw e;
    }
  }
}

/** Starts a sharded write; stream tensors with writeTensor() in spec order, then finish(). */
export function writeSharded(
  folder: SinkFolder,
  specs: readonly TensorSpec[],
  options: ShardedWriteOptions = {},
): ShardedWriter {
  return new ShardedWriter(folder, specs, options);
}
