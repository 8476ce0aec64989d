/**
 * Validation of a safetensors header, done entirely up front so a merge never fails half-way
 * on a bad tensor. The rules are those of the reference reader (the Rust `safetensors` crate,
 * `SafeTensors::read_metadata` and `Metadata::validate`); each breach → SafetensorsError naming
 * file, tensor, problem:
 * - the header is UTF-8 JSON (a byte-order mark is not JSON whitespace: refused; leading and
 *   trailing JSON whitespace are accepted, as serde_json does) holding an object;
 * - `__metadata__` optional, null or an object of string → string;
 * - every other key a tensor {dtype, shape, data_offsets} with a known dtype, dims and offsets
 *   written as plain non-negative integers (serde's usize: `4.0` is refused), and
 *   end − begin = dtype bits × elements / 8 (a whole number of bytes);
 * - sorted by offsets, the tensors cover the data area exactly: the first starts at 0, each
 *   starts where the previous ended (no hole, no overlap) and the last ends at the end of the
 *   file (no trailing bytes) — which also catches a header length off by a byte;
 * - stricter than the reference: a key listed twice (serde keeps one silently) is refused.
 */
import { SafetensorsError } from './errors';
import { scanKeys } from './json-keys';
import { describeValue, previewValue } from './preview';
import { DTYPES, DTYPE_BITS, type Dtype, type TensorInfo } from './types';

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
    // ignoreBOM keeps a leading U+FEFF in the text, so JSON.parse refuses it as serde does.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
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
  const { duplicate, topLevelKeys, nonInteger } = scanKeys(text);
  if (duplicate) {
    const [tensor] = duplicate.path;
    if (tensor === undefined) fail(duplicate.key, 'listed twice in the header');
    else fail(tensor, `field "${duplicate.key}" appears twice`);
  }
  if (nonInteger) {
    fail(
      nonInteger.tensor,
      `${nonInteger.field} has ${previewValue(nonInteger.literal).slice(1, -1)}: dims and offsets must be non-negative integers written without a fraction or exponent`,
    );
  }

  const metadata: Record<string, string> = {};
  const rawMetadata = header[METADATA_KEY];
  if (rawMetadata !== undefined && rawMetadata !== null) {
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
  checkCoverage(tensors, dataSize, fail);
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
  const bits = elements * DTYPE_BITS[dtype as Dtype];
  if (!Number.isSafeInteger(bits)) return fail(name, `shape ${previewValue(shape)} is too large`);
  if (bits % 8 !== 0) {
    return fail(
      name,
      `${elements} elements of ${dtype} (${DTYPE_BITS[dtype as Dtype]} bits each) are not a whole number of bytes`,
    );
  }
  const byteLength = bits / 8;
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

/**
 * As the reference's Metadata::validate: sorted by (begin, end), each tensor starts where the
 * previous ended, the first at 0, and the last ends at the end of the data area.
 */
function checkCoverage(
  tensors: TensorInfo[],
  dataSize: number,
  fail: (tensor: string | undefined, problem: string) => never,
): void {
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev: TensorInfo | undefined;
  for (const cur of sorted) {
    if (cur.begin < at) {
      fail(
        cur.name,
        `data [${cur.begin}, ${cur.end}] overlaps tensor "${prev!.name}" [${prev!.begin}, ${prev!.end}]`,
      );
    }
    if (cur.begin > at) {
      const after = prev ? `tensor "${prev.name}" ends at ${at}` : 'the data area starts at 0';
      fail(
        cur.name,
        `data starts at ${cur.begin} but ${after}: a hole of ${cur.begin - at} bytes (tensors must be contiguous)`,
      );
    }
    at = cur.end;
    prev = cur;
  }
  if (at !== dataSize) {
    fail(
      undefined,
      `${dataSize - at} bytes after the last tensor's data (which ends at ${at} of ${dataSize}): trailing bytes, or a wrong header length`,
    );
  }
}
