// Shared by every element-wise kernel.
//
// All inputs of one chunk (base first, then the models) are packed into ONE storage buffer of
// raw little-endian words, so K models cost one binding whatever K is (the compatibility
// adapter allows 8 storage buffers per stage). `inputs.slots[i]` = (word offset, dtype, -, -).
override WG: u32 = 128u;

const DT_F32: u32 = 0u;
const DT_F16: u32 = 1u;
const DT_BF16: u32 = 2u;

struct InputTable {
  slots: array<vec4<u32>, 64>,
}

@group(0) @binding(0) var<storage, read> raw: array<u32>;
@group(0) @binding(1) var<uniform> inputs: InputTable;

// Hot kernels bake the dtypes of inputs 0…15 (2 bits each) into the pipeline, so unrolled
// loops decode without reading the table; all ones = read the dtype from the table.
override PACKED_DTYPES: u32 = 0xffffffffu;

fn dtype_of(which: u32) -> u32 {
  if (PACKED_DTYPES != 0xffffffffu && which < 16u) {
    return (PACKED_DTYPES >> (2u * which)) & 3u;
  }
  return inputs.slots[which].y;
}

// Element i (relative to the chunk start, which is always even) of input `which`, as f32.
fn load_input(which: u32, i: u32) -> f32 {
  let slot = inputs.slots[which];
  let dtype = dtype_of(which);
  if (dtype == DT_F32) {
    return bitcast<f32>(raw[slot.x + i]);
  }
  let word = raw[slot.x + (i >> 1u)];
  let half = select(word & 0xffffu, word >> 16u, (i & 1u) == 1u);
  if (dtype == DT_BF16) {
    // bf16 is the high half of an f32.
    return bitcast<f32>(half << 16u);
  }
  return unpack2x16float(half).x;
}

// Linear invocation index over a 2-D dispatch (grids wider than 65535 groups fold into y).
fn linear_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}
