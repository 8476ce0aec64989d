/**
 * Opens one planned checkpoint through src/io (headers, index and config only; no tensor
 * bytes) and summarises it for the UI.
 */
import {
  openCheckpointFolder,
  openCheckpointFromSources,
  type Checkpoint,
  type CheckpointFolder,
  type Dtype,
} from '../../io';
import type { CheckpointSummary } from '../protocol';
import type { FolderFile } from './inputs';
import type { CheckpointCandidate } from './plan';

/** io's folder interface over files the worker already listed (handles or a File list). */
export function folderOf(name: string, files: FolderFile[]): CheckpointFolder {
  const byPath = new Map(files.map((f) => [f.path, f.source]));
  return {
    name,
    list: async () => [...byPath.keys()].sort(),
    open: async (file) => {
      const source = byPath.get(file);
      if (!source) throw new Error(`${name}/${file} is not in this folder`);
      return source;
    },
  };
}

function architectureOf(config: unknown): string | undefined {
  if (typeof config !== 'object' || config === null) return undefined;
  const c = config as { architectures?: unknown; model_type?: unknown };
  const first = Array.isArray(c.architectures) ? c.architectures[0] : undefined;
  if (typeof first === 'string') return first;
  return typeof c.model_type === 'string' ? c.model_type : undefined;
}

export function summarize(
  id: string,
  name: string,
  checkpoint: Checkpoint,
  fromFolder: boolean,
): CheckpointSummary {
  const summary = checkpoint.summary();
  const dtypes: Partial<Record<Dtype, number>> = {};
  for (const row of summary.dtypes) dtypes[row.dtype] = row.parameters;
  const layout = fromFolder ? 'hf-folder' : checkpoint.files.length > 1 ? 'sharded' : 'single';
  const wire: CheckpointSummary = {
    id,
    name,
    layout,
    files: checkpoint.files.map((f) => f.name),
    tensorCount: summary.tensorCount,
    parameterCount: summary.parameterCount,
    dtypes,
    sizeBytes: checkpoint.files.reduce((total, f) => total + f.byteSize, 0),
  };
  const architecture = architectureOf(checkpoint.config);
  if (architecture) wire.architecture = architecture;
  return wire;
}

export function openCandidate(candidate: CheckpointCandidate): Promise<Checkpoint> {
  return candidate.fromFolder
    ? openCheckpointFolder(folderOf(candidate.name, candidate.files))
    : openCheckpointFromSources(
        candidate.files.map((f) => f.source),
        candidate.name,
      );
}
