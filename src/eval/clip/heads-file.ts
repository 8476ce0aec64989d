/**
 * Zero-shot heads saved as a safetensors file: one F32 tensor per task name,
 * `[classes, projection_dim]`, rows in class order; the class names ride in `__metadata__`
 * (key = task name, value = JSON list) so a loaded head can be checked against a task's data.
 */
import {
  SafetensorsError,
  SafetensorsWriter,
  decodeToF32,
  memorySink,
  openSafetensors,
  type ByteSource,
  type ByteSink,
} from '../../io';
import { ClipEvalError } from './errors';
import type { ZeroShotHead } from './zero-shot';

function asBytes(data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Streams `heads` into `sink` (a file in Node, a picked file or memory in the tab). */
export async function writeHeads(sink: ByteSink, heads: readonly ZeroShotHead[]): Promise<void> {
  const specs = heads.map((h) => ({
    name: h.task,
    dtype: 'F32' as const,
    shape: [h.classNames.length, h.dim],
  }));
  const metadata: Record<string, string> = { format: 'merge-studio-zero-shot-heads' };
  for (const h of heads) metadata[h.task] = JSON.stringify(h.classNames);
  const writer = new SafetensorsWriter(sink, specs, metadata);
  for (const h of heads) await writer.writeTensor(h.task, asBytes(h.weight));
  await writer.finish();
}

export async function headsToBytes(heads: readonly ZeroShotHead[]): Promise<Uint8Array> {
  const sink = memorySink('heads.safetensors');
  await writeHeads(sink, heads);
  return sink.bytes();
}

function classNamesOf(file: string, task: string, metadata: Record<string, string>, rows: number) {
  const raw = Object.hasOwn(metadata, task) ? metadata[task] : undefined;
  if (raw === undefined) return Array.from({ length: rows }, (_, i) => String(i));
  let names: unknown;
  try {
    names = JSON.parse(raw);
  } catch {
    throw new SafetensorsError(file, task, 'class names in __metadata__ are not JSON');
  }
  if (!Array.isArray(names) || names.length !== rows || !names.every((n) => typeof n === 'string'))
    throw new SafetensorsError(file, task, `__metadata__ must list ${rows} class names`);
  return names as string[];
}

/** Every head in the file (2-D float tensors only), keyed by task name. */
export async function readHeads(source: ByteSource): Promise<Map<string, ZeroShotHead>> {
  const file = await openSafetensors(source);
  const heads = new Map<string, ZeroShotHead>();
  for (const [task, info] of file.tensors) {
    if (info.shape.length !== 2)
      throw new SafetensorsError(source.name, task, 'a head must be [classes, projection_dim]');
    const [rows, dim] = info.shape as [number, number];
    const weight = decodeToF32(info.dtype, await file.readRaw(task), source.name, task);
    heads.set(task, {
      task,
      classNames: classNamesOf(source.name, task, file.metadata, rows),
      weight: Float32Array.from(weight),
      dim,
    });
  }
  return heads;
}

/** The head of `task`, checked against the data's class names (when the data has names). */
export function headForTask(
  heads: Map<string, ZeroShotHead>,
  task: string,
  dataClassNames: readonly string[] | null,
  file: string,
): ZeroShotHead {
  const head = heads.get(task);
  if (!head) {
    throw new ClipEvalError(
      `${file}: no head for task "${task}" (heads: ${[...heads.keys()].join(', ') || 'none'})`,
    );
  }
  if (dataClassNames && dataClassNames.length !== head.classNames.length) {
    throw new ClipEvalError(
      `${file}: head "${task}" has ${head.classNames.length} classes, the task's data ` +
        `${dataClassNames.length}`,
    );
  }
  return head;
}
