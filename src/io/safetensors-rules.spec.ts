/**
 * One test per rule of the reference reader (the Rust `safetensors` crate:
 * `SafeTensors::read_metadata`, `Metadata::validate`, `Dtype`), each with the file it accepts
 * or refuses. Files are assembled by hand (length prefix + header text + data bytes).
 */
import { describe, expect, it } from 'vitest';
import { SafetensorsError } from './errors';
import { openSafetensors } from './safetensors-reader';
import { memorySource } from './sources';
import { assembleSafetensors } from './testing/corpus';
import { DTYPE_BITS, DTYPES } from './types';

/** Length prefix + exactly these header bytes (no padding) + data. */
function rawFile(header: Uint8Array | string, data: Uint8Array, declared?: number): Uint8Array {
  const h = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declared ?? h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

const open = (bytes: Uint8Array) => openSafetensors(memorySource(bytes, 'r.safetensors'));
const refused = async (bytes: Uint8Array, message: RegExp) => {
  const e = await open(bytes).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(SafetensorsError);
  expect((e as Error).message).toMatch(message);
};

const A = '"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}';
const B = '"b": {"dtype": "U8", "shape": [2], "data_offsets": [4, 6]}';

describe('the data area, as Metadata::validate checks it', () => {
  it('accepts tensors covering it exactly, in any header order', async () => {
    const f = await open(assembleSafetensors(`{${B}, ${A}}`, new Uint8Array(6)));
    expect([...f.tensors.keys()]).toEqual(['b', 'a']);
  });

  it('refuses a hole before the first tensor', async () => {
    const header = '{"a": {"dtype": "U8", "shape": [4], "data_offsets": [2, 6]}}';
    await refused(
      assembleSafetensors(header, new Uint8Array(6)),
      /^r\.safetensors: a: data starts at 2 but the data area starts at 0: a hole of 2 bytes/,
    );
  });

  it('refuses a hole between tensors', async () => {
    const b = '"b": {"dtype": "U8", "shape": [2], "data_offsets": [5, 7]}';
    await refused(
      assembleSafetensors(`{${A}, ${b}}`, new Uint8Array(7)),
      /^r\.safetensors: b: data starts at 5 but tensor "a" ends at 4: a hole of 1 bytes/,
    );
  });

  it('refuses overlapping tensors', async () => {
    const b = '"b": {"dtype": "U8", "shape": [2], "data_offsets": [3, 5]}';
    await refused(
      assembleSafetensors(`{${A}, ${b}}`, new Uint8Array(5)),
      /b: data \[3, 5\] overlaps tensor "a" \[0, 4\]/,
    );
  });

  it('refuses trailing bytes after the last tensor', async () => {
    await refused(
      assembleSafetensors(`{${A}, ${B}}`, new Uint8Array(7)),
      /^r\.safetensors: 1 bytes after the last tensor's data \(which ends at 6 of 7\)/,
    );
  });

  it('refuses a header length one byte short (its last byte would become data)', async () => {
    const file = rawFile(`{${A}, ${B}}  `, new Uint8Array(6));
    const short = rawFile(`{${A}, ${B}}  `, new Uint8Array(6), `{${A}, ${B}}  `.length - 1);
    await expect(open(file)).resolves.toBeDefined();
    await refused(short, /1 bytes after the last tensor's data/);
  });

  it('refuses data bytes in a file with no tensors', async () => {
    await refused(assembleSafetensors('{}', new Uint8Array(3)), /3 bytes after the last/);
    await expect(open(assembleSafetensors('{}', new Uint8Array(0)))).resolves.toBeDefined();
  });
});

describe('the header text, as read_metadata parses it (serde_json)', () => {
  it('accepts leading and trailing JSON whitespace (the crate reads padded headers)', async () => {
    // The crate's test_whitespace_leading_padded_header: "\t\n{}\r " is a valid header.
    await expect(open(rawFile('\t\n{}\r ', new Uint8Array(0)))).resolves.toBeDefined();
  });

  it('refuses a byte-order mark before the JSON (not JSON whitespace)', async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(`{${A}}`)]);
    await refused(rawFile(bom, new Uint8Array(4)), /header is not valid JSON/);
  });

  it('refuses dims and offsets written as floats or with exponents (serde usize)', async () => {
    for (const [shape, offsets] of [
      ['[4.0]', '[0, 4]'],
      ['[4e0]', '[0, 4]'],
      ['[4]', '[0, 4.0]'],
    ]) {
      const header = `{"a": {"dtype": "U8", "shape": ${shape}, "data_offsets": ${offsets}}}`;
      await refused(
        assembleSafetensors(header, new Uint8Array(4)),
        /^r\.safetensors: a: (shape|data_offsets) has (4\.0|4e0): dims and offsets must be non-negative integers written without a fraction or exponent$/,
      );
    }
  });

  it('accepts "__metadata__": null (an absent Option)', async () => {
    const f = await open(assembleSafetensors(`{"__metadata__": null, ${A}}`, new Uint8Array(4)));
    expect(f.metadata).toEqual({});
  });
});

describe('dtypes, as the crate lists them', () => {
  it("has exactly the crate's Dtype enum with its bitsize() (safetensors/src/tensor.rs)", () => {
    // Copied from the crate's `impl Dtype { fn bitsize }`.
    const crate: Record<string, number> = {
      F4: 4,
      F6_E3M2: 6,
      F6_E2M3: 6,
      BOOL: 8,
      U8: 8,
      I8: 8,
      F8_E5M2: 8,
      F8_E4M3: 8,
      F8_E8M0: 8,
      F8_E4M3FNUZ: 8,
      F8_E5M2FNUZ: 8,
      I16: 16,
      U16: 16,
      I32: 32,
      U32: 32,
      I64: 64,
      U64: 64,
      F16: 16,
      BF16: 16,
      F32: 32,
      F64: 64,
      C64: 64,
    };
    expect(Object.fromEntries(DTYPES.map((d) => [d, DTYPE_BITS[d]]))).toEqual(crate);
  });

  it('accepts every dtype of the crate for inspect and raw reads', async () => {
    for (const dtype of DTYPES) {
      // 8 elements fill whole bytes for every bit size (4, 6, 8, …, 64): bits × 8 / 8.
      const n = DTYPE_BITS[dtype];
      const header = `{"t": {"dtype": "${dtype}", "shape": [8], "data_offsets": [0, ${n}]}}`;
      const f = await open(assembleSafetensors(header, new Uint8Array(n)));
      expect((await f.readRaw('t')).length).toBe(n);
    }
  });

  it('refuses sub-byte tensors that do not fill whole bytes (MisalignedSlice)', async () => {
    const header = '{"t": {"dtype": "F4", "shape": [3], "data_offsets": [0, 2]}}';
    await refused(
      assembleSafetensors(header, new Uint8Array(2)),
      /t: 3 elements of F4 \(4 bits each\) are not a whole number of bytes/,
    );
  });
});
