/**
 * Validation of a safetensors header, done entirely up front so a merge never fails half-way
 * on a bad tensor. Rules (each breach → SafetensorsError naming file, tensor, problem):
 * well-formed UTF-8 JSON object; `__metadata__` optional, string → string; every other key a
 * tensor {dtype, shape, data_offsets} with a known dtype, non-negative integer dims, integer
 * offsets 0 ≤ begin ≤ end ≤ data size, end − begin = dtype size × elements; no overlaps; no
 * duplicate keys.
 */
import { SafetensorsError } from './errors';
import { scanKeys } from './json-keys';
import { describeValue, previewValue } from './preview';
import { DTYPES, DTYPE_SIZE, type Dtype, type TensorInfo } from './types';

export const METADATA_KEY = '__metadata__';

export interface ParsedHeader {
  tensors: TensorInfo[];
  metadata: Record<string, string>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const describe = describeValue;

export function parseSafetensorsHeader(
  file: string,
  headerBytes: Uint8Array,
  dataSize: number,
): ParsedHeader {
  const fail = (tensor: string | undefined, problem: string): never => {
    throw new SafetensorsError(file, tensor, problem);
  };
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    fail(undefined, 'header is not valid UTF-8 text');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(undefined, `header is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(json)) fail(undefined, `header must be a JSON object, found ${describe(json)}`);
  const header = json as Record<string, unknown>;
  const { duplicate, topLevelKeys } = scanKeys(text);
  if (duplicate) {
    const [tensor] = duplicate.path;
    if (tensor === undefined) fail(duplicate.key, 'listed twice in the header');
    else fail(tensor, `field "${duplicate.key}" appears twice`);
  }

  const metadata: Record<string, string> = {};
  const rawMetadata = header[METADATA_KEY];
  if (rawMetadata !== undefined) {
    if (!isObject(rawMetadata))
      fail(undefined, `__metadata__ must be an object, found ${describe(rawMetadata)}`);
    for (const [key, value] of Object.entries(rawMetadata as Record<string, unknown>)) {
      if (typeof value !== 'string') {
        fail(
          undefined,
          `__metadata__ value of "${key}" must be a string, found ${describe(value)}`,
        );
      }
      metadata[key] = value as string;
    }
  }

  const tensors: TensorInfo[] = [];
  for (const name of topLevelKeys) {
    if (name === METADATA_KEY) continue;
    tensors.push(parseEntry(name, header[name], dataSize, fail));
  }
  checkNoOverlap(tensors, fail);
  return { tensors, metadata };
}

function parseEntry(
  name: string,
  entry: unknown,
  dataSize: number,
  fail: (tensor: string, problem: string) => never,
): TensorInfo {
  if (!isObject(entry)) return fail(name, `entry must be an object, found ${describe(entry)}`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string') return fail(name, 'missing "dtype"');
  if (!(DTYPES as readonly string[]).includes(dtype)) {
    return fail(name, `unknown dtype "${dtype}" (known: ${DTYPES.join(', ')})`);
  }
  if (!Array.isArray(shape))
    return fail(name, `"shape" must be an array, found ${describe(shape)}`);
  let elements = 1;
  for (const dim of shape) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      return fail(
        name,
        `shape ${previewValue(shape)} has ${describe(dim)}: dims must be non-negative integers`,
      );
    }
    elements *= dim;
  }
  const byteLength = elements * DTYPE_SIZE[dtype as Dtype];
  if (!Number.isSafeInteger(byteLength))
    return fail(name, `shape ${previewValue(shape)} is too large`);
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    return fail(
      name,
      `"data_offsets" must be [begin, end], found ${offsets === undefined ? 'nothing' : previewValue(offsets)}`,
    );
  }
  const [begin, end] = offsets as unknown[];
  if (
    typeof begin !== 'number' ||
    typeof end !== 'number' ||
    !Number.isSafeInteger(begin) ||
    !Number.isSafeInteger(end)
  ) {
    return fail(name, `data_offsets ${previewValue(offsets)} must be integers`);
  }
  if (begin < 0 || end < begin)
    return fail(name, `data_offsets [${begin}, ${end}] are not an increasing range`);
  if (end > dataSize) {
    return fail(
      name,
      `data_offsets [${begin}, ${end}] reach past the end of the data (${dataSize} bytes; file truncated?)`,
    );
  }
  if (end - begin !== byteLength) {
    return fail(
      name,
      `data_offsets [${begin}, ${end}] span ${end - begin} bytes but ${dtype} ${previewValue(shape)} needs ${byteLength}`,
    );
  }
  return { name, dtype: dtype as Dtype, shape: shape as number[], begin, end };
}

function checkNoOverlap(
  tensors: TensorInfo[],
  fail: (tensor: string, problem: string) => never,
): void {
  const sorted = tensors.filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.begin < prev.end) {
      fail(
        cur.name,
        `data [${cur.begin}, ${cur.end}] overlaps tensor "${prev.name}" [${prev.begin}, ${prev.end}]`,
      );
    }
  }
}
