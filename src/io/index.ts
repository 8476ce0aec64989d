/** Browser-safe I/O. Node extras (fs-backed sources, sinks, folders) are in ./node. */
export * from './types';
export {
  SafetensorsError,
  CheckpointMismatchError,
  OutputPathError,
  type Mismatch,
} from './errors';
export {
  f16ToF32,
  f32ToF16,
  bf16ToF32,
  f32ToBf16,
  f16ArrayToF32,
  f32ArrayToF16,
  bf16ArrayToF32,
  f32ArrayToBf16,
} from './half';
export { blobSource, fileHandleSource, memorySource } from './sources';
export {
  memorySink,
  memorySinkFolder,
  writableStreamSink,
  directoryHandleSinkFolder,
  type MemorySink,
  type MemorySinkFolder,
} from './sinks';
export { openSafetensors, MAX_HEADER_BYTES, type SafetensorsFile } from './safetensors-reader';
export { decodeToF32 } from './decode';
export { encodeF32As } from './encode';
export {
  summarizeTensors,
  elementCount,
  tensorByteSize,
  type TensorSummary,
  type DtypeSummary,
} from './tensor-summary';
export {
  openSingleCheckpoint,
  openShardedCheckpoint,
  openCheckpointFromSources,
  openCheckpointFolder,
  type Checkpoint,
  type CheckpointTensor,
  type CheckpointFolder,
} from './checkpoint';
export { directoryHandleFolder, fileListFolder } from './checkpoint-folders';
export {
  checkCompatibility,
  assertCompatible,
  parseNameFilter,
  type CompatibilityInput,
  type CompatibilityOptions,
} from './compatibility';
export {
  SafetensorsWriter,
  encodeSafetensorsHeader,
  checkTensorSpecs,
  type TensorSpec,
} from './safetensors-writer';
export {
  ShardedWriter,
  writeSharded,
  planShards,
  SINGLE_FILE_NAME,
  INDEX_FILE_NAME,
  DEFAULT_MAX_SHARD_BYTES,
  type ShardPlan,
  type ShardedWriteOptions,
} from './sharded-writer';
export {
  directoryHandleDataFolder,
  fileListDataFolder,
  memoryDataFolder,
  checkRelativePath,
  DataFolderError,
  type DataFolder,
} from './data-folder';
export { escapeTerminalText } from './terminal-text';
export { previewValue, describeValue } from './preview';
export { isVocabularyMismatch } from './vocabulary';
