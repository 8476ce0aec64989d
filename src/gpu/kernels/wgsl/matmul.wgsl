// out (m × n) = a (m × k) · b (k × n), row-major f32, for the SVD merges' big products
// (src/merge/cpu/dense.ts matmul, which accumulates in f64; this accumulates in f32).
// 8 × 8 invocations per workgroup, each one output, with 8 × 8 tiles of a and b in
// workgroup memory (64 invocations: within the compatibility limit of 128). `transpose_a`
// reads a as its transpose (aᵀ·b with a stored k × m), for the range finder's aᵀ·Q.
override WG: u32 = 64u;

struct MatmulParams {
  m: u32,
  n: u32,
  k: u32,
  transpose_a: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<uniform> params: MatmulParams;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

const TILE = 8u;
var<workgroup> tile_a: array<f32, 64>;
var<workgroup> tile_b: array<f32, 64>;

fn load_a(row: u32, col: u32) -> f32 {
  if (row >= params.m || col >= params.k) {
    return 0.0;
  }
  if (params.transpose_a != 0u) {
    return a[col * params.m + row];
  }
  return a[row * params.k + col];
}

fn load_b(row: u32, col: u32) -> f32 {
  if (row >= params.k || col >= params.n) {
    return 0.0;
  }
  return b[row * params.n + col];
}

@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row = wid.y * TILE + lid.y;
  let col = wid.x * TILE + lid.x;
  var acc = 0.0;
  let tiles = (params.k + TILE - 1u) / TILE;
  for (var t = 0u; t < tiles; t = t + 1u) {
    tile_a[lid.y * TILE + lid.x] = load_a(row, t * TILE + lid.x);
    tile_b[lid.y * TILE + lid.x] = load_b(t * TILE + lid.y, col);
    workgroupBarrier();
    for (var p = 0u; p < TILE; p = p + 1u) {
      acc = acc + tile_a[lid.y * TILE + p] * tile_b[p * TILE + lid.x];
    }
    workgroupBarrier();
  }
  if (row < params.m && col < params.n) {
    out[row * params.n + col] = acc;
  }
}
