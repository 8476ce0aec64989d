// Radix-select histograms of |δ| bit patterns (a non-negative f32 sorts like its bits).
// Pass 1: hist[m][high 16 bits] for every model m. Pass 2: for every query q = (model,
// high-bits prefix), hist[q][low 16 bits] of the elements whose high bits equal the prefix.
// Inputs: 0 = base, 1 + m = model m.
struct HistParams {
  len: u32,
  models: u32,
  pass_index: u32,
  queries: u32,
  table: array<vec4<u32>, 128>,
}

@group(0) @binding(2) var<uniform> params: HistParams;
@group(0) @binding(3) var<storage, read_write> hist: array<atomic<u32>>;

fn abs_bits(m: u32, i: u32, base: f32) -> u32 {
  return bitcast<u32>(load_input(1u + m, i) - base) & 0x7fffffffu;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= params.len) {
    return;
  }
  let base = load_input(0u, i);
  if (params.pass_index == 1u) {
    for (var m = 0u; m < params.models; m = m + 1u) {
      atomicAdd(&hist[(m << 16u) + (abs_bits(m, i, base) >> 16u)], 1u);
    }
    return;
  }
  for (var q = 0u; q < params.queries; q = q + 1u) {
    let query = params.table[q];
    let a = abs_bits(query.x, i, base);
    if ((a >> 16u) == query.y) {
      atomicAdd(&hist[(q << 16u) + (a & 0xffffu)], 1u);
    }
  }
}
