// Consensus / TALL masks (src/merge/cpu/tall.ts): τₜ = θₜ − θ₀, τ_MTL = Σ τₜ in model order,
// mₜ = |τₜ| > λₜ·|τ_MTL − τₜ|, merged = θ₀ + α·τ_MTL where Σ mₜ ≥ k. With emit, the output
// buffer also holds θ₀ + mₜ·τ_MTL for every task t at offset (1 + t)·len.
struct ConsensusParams {
  len: u32,
  models: u32,
  k: u32,
  emit: u32,
  alpha: f32,
  _a: u32,
  _b: u32,
  _c: u32,
  lambdas: array<vec4<f32>, 16>,
}

@group(0) @binding(2) var<uniform> params: ConsensusParams;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= params.len) {
    return;
  }
  let b = load_input(0u, i);
  var mtl = 0.0;
  for (var t = 0u; t < params.models; t = t + 1u) {
    mtl = mtl + (load_input(1u + t, i) - b);
  }
  var votes = 0u;
  for (var t = 0u; t < params.models; t = t + 1u) {
    let tau = load_input(1u + t, i) - b;
    let in_mask = abs(tau) > params.lambdas[t >> 2u][t & 3u] * abs(mtl - tau);
    votes = votes + select(0u, 1u, in_mask);
    if (params.emit != 0u) {
      out[(1u + t) * params.len + i] = select(b, b + mtl, in_mask);
    }
  }
  out[i] = select(b, b + params.alpha * mtl, votes >= params.k);
}
