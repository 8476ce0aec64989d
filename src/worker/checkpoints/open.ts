/**
 * Opens one planned checkpoint through src/io (headers only) and summarises it for the UI.
 */
import { openSafetensors } from '../../io/safetensors-reader';
import { SafetensorsError } from '../../io/errors';
import type { Dtype } from '../../io/types';
import type { CheckpointSummary } from '../protocol';
import type { CheckpointCandidate } from './plan';
import type { LoadedCheckpoint } from './registry';

export async function openCandidate(
  id: string,
  candidate: CheckpointCandidate,
): Promise<LoadedCheckpoint> {
  const weights = candidate.files.filter((f) => f.path.endsWith('.safetensors'));
  const only = weights[0];
  if (!only || weights.length !== 1 || candidate.files.length !== 1) {
    const name = candidate.files[0]?.source.name ?? candidate.name;
    throw new SafetensorsError(name, undefined, 'not a .safetensors file');
  }
  const file = await openSafetensors(only.source);
  const summary = file.summary();
  const dtypes: Partial<Record<Dtype, number>> = {};
  for (const row of summary.dtypes) dtypes[row.dtype] = row.parameters;
  const wire: CheckpointSummary = {
    id,
    name: candidate.name,
    layout: 'single',
    files: [only.source.name],
    tensorCount: summary.tensorCount,
    parameterCount: summary.parameterCount,
    dtypes,
    sizeBytes: file.byteSize,
  };
  return { summary: wire, tensors: file.tensors };
}
