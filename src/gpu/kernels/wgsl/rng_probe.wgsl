// Test kernel: writes element_uniform(key, first + i) so tests can compare it bit for bit.
struct Params {
  key: u32,
  first: u32,
  count: u32,
  _pad: u32,
}

override WG: u32 = 128u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.count) {
    return;
  }
  out[i] = element_uniform(params.key, params.first + i);
}
