/**
 * A corpus of malformed safetensors files, each built from the same valid two-tensor file by
 * one defect. Every entry names the tensor the error must mention (when there is one) and a
 * pattern the problem text must match. Browser-safe.
 */
import { assembleSafetensors, encodeValues } from './safetensors-builder';

export {
  makeValidSafetensors,
  assembleSafetensors,
  encodeValues,
  patternValues,
} from './safetensors-builder';
export type { TestTensor } from './safetensors-builder';

export interface CorpusEntry {
  kind: string;
  /** Tensor the error must name, if the defect belongs to one. */
  tensor?: string;
  /** What the error's problem text must say. */
  problem: RegExp;
  build(): Uint8Array;
}

const EMBED = '"embed.weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}';
const HEAD = '"head.bias": {"dtype": "F16", "shape": [3], "data_offsets": [24, 30]}';
const METADATA = '"__metadata__": {"format": "pt"}';

function baseData(): Uint8Array {
  const data = new Uint8Array(30);
  data.set(encodeValues('F32', [1, 2, 3, 4, 5, 6]), 0);
  data.set(encodeValues('F16', [0.5, -1, 2]), 24);
  return data;
}

const withParts = (...parts: string[]) => assembleSafetensors(`{${parts.join(', ')}}`, baseData());

/** The valid file every corpus entry is derived from: embed.weight F32 [2,3], head.bias F16 [3]. */
export const validCorpusBase = (): Uint8Array => withParts(METADATA, EMBED, HEAD);

function setHeaderLength(file: Uint8Array, length: bigint): Uint8Array {
  const out = file.slice();
  new DataView(out.buffer).setBigUint64(0, length, true);
  return out;
}

const headPart = (fields: string) => `"head.bias": {${fields}}`;

export const truncatedFile = () => validCorpusBase().slice(0, -4);
export const truncatedInLengthPrefix = () => validCorpusBase().slice(0, 5);
export const headerLengthPastEnd = () => {
  const valid = validCorpusBase();
  return setHeaderLength(valid, BigInt(valid.length));
};
export const headerLengthOverCap = () => setHeaderLength(validCorpusBase(), 1n << 40n);
export const invalidJson = () =>
  assembleSafetensors('{"embed.weight": {"dtype": "F32",', baseData());
export const headerNotObject = () => assembleSafetensors('[1, 2, 3]', baseData());
export const invalidUtf8Header = () => {
  const file = withParts(METADATA, EMBED, HEAD);
  file[10] = 0xff; // inside the JSON text
  return file;
};
export const unknownDtype = () =>
  withParts(EMBED, headPart('"dtype": "F12", "shape": [3], "data_offsets": [24, 30]'));
export const missingDtype = () =>
  withParts(EMBED, headPart('"shape": [3], "data_offsets": [24, 30]'));
export const offsetsOutOfRange = () =>
  withParts(EMBED, headPart('"dtype": "F16", "shape": [3], "data_offsets": [100, 106]'));
export const offsetsReversed = () =>
  withParts(EMBED, headPart('"dtype": "F16", "shape": [3], "data_offsets": [30, 24]'));
export const offsetsNotPair = () =>
  withParts(EMBED, headPart('"dtype": "F16", "shape": [3], "data_offsets": [24]'));
export const overlappingOffsets = () =>
  withParts(EMBED, headPart('"dtype": "F16", "shape": [3], "data_offsets": [20, 26]'));
export const offsetsNotMatchingShape = () =>
  withParts(EMBED, headPart('"dtype": "F16", "shape": [3], "data_offsets": [24, 28]'));
export const negativeDims = () =>
  withParts('"embed.weight": {"dtype": "F32", "shape": [-2, -3], "data_offsets": [0, 24]}', HEAD);
export const fractionalDims = () =>
  withParts('"embed.weight": {"dtype": "F32", "shape": [1.5, 4], "data_offsets": [0, 24]}', HEAD);
export const duplicateKeys = () => withParts(EMBED, HEAD, HEAD);
export const duplicateField = () =>
  withParts(
    EMBED,
    headPart('"dtype": "F16", "dtype": "F32", "shape": [3], "data_offsets": [24, 30]'),
  );
export const nonStringMetadata = () => withParts('"__metadata__": {"format": 1}', EMBED, HEAD);
export const metadataNotObject = () => withParts('"__metadata__": "pt"', EMBED, HEAD);

export const BAD_SAFETENSORS: CorpusEntry[] = [
  {
    kind: 'truncated file',
    tensor: 'head.bias',
    problem: /past the end.*truncated/,
    build: truncatedFile,
  },
  { kind: 'truncated length prefix', problem: /too short/, build: truncatedInLengthPrefix },
  {
    kind: 'header length past end',
    problem: /header length .* past the end/,
    build: headerLengthPastEnd,
  },
  {
    kind: 'header length over cap',
    problem: /larger than the .*limit/,
    build: headerLengthOverCap,
  },
  { kind: 'invalid JSON', problem: /not valid JSON/, build: invalidJson },
  {
    kind: 'header not an object',
    problem: /must be a JSON object, found an array/,
    build: headerNotObject,
  },
  { kind: 'invalid UTF-8', problem: /not valid UTF-8/, build: invalidUtf8Header },
  {
    kind: 'unknown dtype',
    tensor: 'head.bias',
    problem: /unknown dtype "F12"/,
    build: unknownDtype,
  },
  { kind: 'missing dtype', tensor: 'head.bias', problem: /missing "dtype"/, build: missingDtype },
  {
    kind: 'offsets out of range',
    tensor: 'head.bias',
    problem: /past the end of the data/,
    build: offsetsOutOfRange,
  },
  {
    kind: 'offsets reversed',
    tensor: 'head.bias',
    problem: /not an increasing range/,
    build: offsetsReversed,
  },
  {
    kind: 'offsets not a pair',
    tensor: 'head.bias',
    problem: /must be \[begin, end\]/,
    build: offsetsNotPair,
  },
  {
    kind: 'overlapping offsets',
    tensor: 'head.bias',
    problem: /overlaps tensor "embed.weight"/,
    build: overlappingOffsets,
  },
  {
    kind: 'offsets not matching shape×dtype',
    tensor: 'head.bias',
    problem: /span 4 bytes but F16 \[3\] needs 6/,
    build: offsetsNotMatchingShape,
  },
  {
    kind: 'negative dims',
    tensor: 'embed.weight',
    problem: /non-negative integers/,
    build: negativeDims,
  },
  {
    kind: 'fractional dims',
    tensor: 'embed.weight',
    problem: /1\.5.*non-negative integers/,
    build: fractionalDims,
  },
  {
    kind: 'duplicate tensor key',
    tensor: 'head.bias',
    problem: /listed twice/,
    build: duplicateKeys,
  },
  {
    kind: 'duplicate field',
    tensor: 'head.bias',
    problem: /"dtype" appears twice/,
    build: duplicateField,
  },
  {
    kind: 'non-string metadata value',
    problem: /"format" must be a string/,
    build: nonStringMetadata,
  },
  {
    kind: 'metadata not an object',
    problem: /__metadata__ must be an object/,
    build: metadataNotObject,
  },
];
