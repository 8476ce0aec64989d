// Model Stock: out = t·avg + (1−t)·θ₀ with avg = (Σ θᵢ)/N in f32; t per segment (the whole
// tensor, or a row with filter_wise) from row_t. Matches src/merge/cpu/model-stock.ts.
struct StockParams {
  len: u32,
  models: u32,
  seg_len: u32,
  _pad: u32,
}

@group(0) @binding(2) var<uniform> params: StockParams;
@group(0) @binding(3) var<storage, read> row_t: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= params.len) {
    return;
  }
  var sum = 0.0;
  for (var m = 0u; m < params.models; m = m + 1u) {
    sum = sum + load_input(1u + m, i);
  }
  let avg = sum / f32(params.models);
  let t = row_t[i / params.seg_len];
  out[i] = t * avg + (1.0 - t) * load_input(0u, i);
}
