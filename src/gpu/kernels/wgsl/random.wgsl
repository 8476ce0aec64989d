// WGSL twin of src/merge/random.ts: "lowbias32" hash and the 24-bit element uniform.
// The stream key (seed, model, tensor name) is computed once per tensor in JS.
fn mix32(x0: u32) -> u32 {
  var x = x0;
  x = x ^ (x >> 16u);
  x = x * 0x7feb352du;
  x = x ^ (x >> 15u);
  x = x * 0x846ca68bu;
  x = x ^ (x >> 16u);
  return x;
}

// The 24 random bits behind element_uniform. Kernels compare them with an integer threshold
// T = ceil(p·2^24) computed in f64 on the CPU: bits < T  ⇔  bits/2^24 < p exactly, so the keep
// decision equals the CPU's double comparison even where p itself is not an f32.
fn element_bits24(key: u32, index: u32) -> u32 {
  return mix32(key ^ mix32(index)) >> 8u;
}

// Uniform in [0, 1) with 24 random bits: exact in f32, identical to elementUniform() in JS.
fn element_uniform(key: u32, index: u32) -> f32 {
  return f32(mix32(key ^ mix32(index)) >> 8u) / 16777216.0;
}
