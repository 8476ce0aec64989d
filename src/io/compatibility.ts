/**
 * Can these checkpoints be merged tensor by tensor? The first checkpoint is the reference;
 * every tensor of any checkpoint must exist in all of them with the same shape. Dtype
 * differences are fine (merging happens in f32) but reported. Task-specific tensors (heads,
 * decoders) may differ or be missing: they are reported as info only.
 */
import { isVocabularyMismatch } from './vocabulary';
import { CheckpointMismatchError, type Mismatch } from './errors';
import type { TensorInfo } from './types';

export interface CompatibilityInput {
  name: string;
  tensors: ReadonlyMap<string, { info: TensorInfo }>;
}

export interface CompatibilityOptions {
  /** Tensors allowed to differ or be missing (see parseNameFilter). */
  taskSpecific?: (tensorName: string) => boolean;
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

export function checkCompatibility(
  checkpoints: readonly CompatibilityInput[],
  options: CompatibilityOptions = {},
): Mismatch[] {
  const taskSpecific = options.taskSpecific ?? (() => false);
  const allNames = new Set<string>();
  for (const c of checkpoints) for (const name of c.tensors.keys()) allNames.add(name);
  const mismatches: Mismatch[] = [];
  for (const tensor of allNames) {
    const allowed = taskSpecific(tensor);
    const severity = allowed ? 'info' : 'error';
    const note = allowed ? ' (task-specific: allowed)' : '';
    const holders = checkpoints.filter((c) => c.tensors.has(tensor));
    const reference = holders[0]!;
    const ref = reference.tensors.get(tensor)!.info;
    for (const c of checkpoints) {
      const info = c.tensors.get(tensor)?.info;
      if (!info) {
        const message = `${c.name}: ${tensor}: missing (present in ${reference.name})${note}`;
        mismatches.push({ severity, kind: 'missing', tensor, checkpoint: c.name, message });
        continue;
      }
      if (c === reference) continue;
      if (info.shape.length !== ref.shape.length || info.shape.some((d, i) => d !== ref.shape[i])) {
        const vocab = isVocabularyMismatch(tensor, info.shape, ref.shape)
          ? ' (a vocabulary size mismatch: different tokenizers; align them with tokenizer_source)'
          : '';
        const message = `${c.name}: ${tensor}: shape ${shapeText(info.shape)} differs from ${shapeText(ref.shape)} in ${reference.name}${vocab}${note}`;
        mismatches.push({ severity, kind: 'shape', tensor, checkpoint: c.name, message });
      } else if (info.dtype !== ref.dtype) {
        const message = `${c.name}: ${tensor}: dtype ${info.dtype} differs from ${ref.dtype} in ${reference.name} (merged in f32)`;
        mismatches.push({ severity: 'info', kind: 'dtype', tensor, checkpoint: c.name, message });
      }
    }
  }
  return mismatches;
}

/** Throws CheckpointMismatchError when any mismatch is an error; returns the info ones. */
export function assertCompatible(
  checkpoints: readonly CompatibilityInput[],
  options: CompatibilityOptions = {},
): Mismatch[] {
  const mismatches = checkCompatibility(checkpoints, options);
  if (mismatches.some((m) => m.severity === 'error')) throw new CheckpointMismatchError(mismatches);
  return mismatches;
}

/**
 * "heads.,decoder.,/^cls\./i" → predicate: a comma-separated list of substrings, or /regex/
 * with optional flags. An empty list matches nothing.
 */
export function parseNameFilter(text: string): (tensorName: string) => boolean {
  const tests = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part): ((name: string) => boolean) => {
      const regex = /^\/(.+)\/([a-z]*)$/.exec(part);
      if (regex) {
        let re: RegExp;
        try {
          re = new RegExp(regex[1]!, regex[2]);
        } catch (e) {
          throw new Error(`invalid name filter ${part}: ${(e as Error).message}`);
        }
        return (name) => re.test(name);
      }
      return (name) => name.includes(part);
    });
  return (name) => tests.some((test) => test(name));
}
