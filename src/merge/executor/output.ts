/**
 * The output of a merge: a folder (sharded writer, plus merge_recipe.yml beside the model) or
 * a single ByteSink (one .safetensors file). Nothing is published before finish(); abort()
 * leaves no output.
 */
import {
  DEFAULT_MAX_SHARD_BYTES,
  ShardedWriter,
  SafetensorsWriter,
  type TensorSpec,
} from '../../io';
import type { ByteSink, SinkFolder } from '../../io/types';

export const RECIPE_FILE_NAME = 'merge_recipe.yml';
export const RECIPE_METADATA_KEY = 'merge_recipe';

export interface MergeOutput {
  writeTensor(name: string, bytes: Uint8Array): Promise<void>;
  /** Consecutive parts of the next tensor (chunks of a streamed merge); `last` closes it. */
  writeTensorPart(name: string, bytes: Uint8Array, last: boolean): Promise<void>;
  finish(): Promise<void>;
  abort(reason?: unknown): Promise<void>;
}

export function isSinkFolder(o: SinkFolder | ByteSink): o is SinkFolder {
  return typeof (o as SinkFolder).createSink === 'function';
}

export function openOutput(
  target: SinkFolder | ByteSink,
  specs: TensorSpec[],
  recipeYaml: string,
  maxShardBytes = DEFAULT_MAX_SHARD_BYTES,
): MergeOutput {
  const metadata = { format: 'pt', [RECIPE_METADATA_KEY]: recipeYaml };
  if (!isSinkFolder(target)) {
    const writer = new SafetensorsWriter(target, specs, metadata);
    return {
      writeTensor: (n, b) => writer.writeTensor(n, b),
      writeTensorPart: (n, b, last) => writer.writeTensorPart(n, b, last),
      finish: () => writer.finish(),
      abort: (r) => writer.abort(r),
    };
  }
  const writer = new ShardedWriter(target, specs, { maxShardBytes, metadata });
  let recipeSink: ByteSink | undefined;
  return {
    writeTensor: (n, b) => writer.writeTensor(n, b),
    writeTensorPart: (n, b, last) => writer.writeTensorPart(n, b, last),
    async finish() {
      // The recipe file is written but closed (published) only after the model is complete.
      recipeSink = await target.createSink(RECIPE_FILE_NAME);
      await recipeSink.write(new TextEncoder().encode(recipeYaml));
      await writer.finish();
      await recipeSink.close();
    },
    async abort(reason) {
      await writer.abort(reason);
      await recipeSink?.abort(reason);
    },
  };
}
