// out = (Σᵢ cᵢ·inputᵢ) / div, summed in input order in f32: linear merges and slerp (whose
// two coefficients come from a reduction). Matches src/merge/cpu/linear.ts.
struct LinParams {
  len: u32,
  count: u32,
  div: f32,
  _pad: u32,
  coef: array<vec4<f32>, 16>,
}

@group(0) @binding(2) var<uniform> params: LinParams;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= params.len) {
    return;
  }
  var acc = 0.0;
  for (var k = 0u; k < params.count; k = k + 1u) {
    acc = acc + params.coef[k >> 2u][k & 3u] * load_input(k, i);
  }
  out[i] = acc / params.div;
}
