// out (m × n) = op(a) (m × k) · op(b) (k × n), row-major f32, for the SVD merges' big
// products (src/merge/cpu/dense.ts matmul / matmulTN / matmulNT, which accumulate in f64;
// this accumulates in f32). `transpose_a` reads a as the transpose of its stored k × m
// matrix, `transpose_b` reads b as the transpose of its stored n × k matrix: aᵀ·b for the
// range finder's aᵀ·Q and the tall Gram matrix aᵀa, a·bᵀ for the wide Gram matrix a·aᵀ.
// 8 × 8 invocations per workgroup (within the compatibility limit of 128), each computing a
// 4 × 4 block of a 32 × 32 output tile from 32 × 8 tiles of a and b in workgroup memory:
// sixteen outputs per invocation read each loaded value four times from registers.
override WG: u32 = 64u;

struct MatmulParams {
  m: u32,
  n: u32,
  k: u32,
  transpose_a: u32,
  transpose_b: u32,
  // Row strides of a and b as stored, and where their first element is: sub-blocks of a
  // resident matrix (the columns of a Gram matrix's output chunk).
  lda: u32,
  ldb: u32,
  a_offset: u32,
  b_offset: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<uniform> params: MatmulParams;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

const TILE = 32u;
const DEPTH = 8u;
const BLOCK_TILES = 8u;
// tile_a[p * TILE + i] = op(a)[row0 + i][k0 + p]; tile_b[p * TILE + j] = op(b)[k0 + p][col0 + j].
var<workgroup> tile_a: array<f32, 256>;
var<workgroup> tile_b: array<f32, 256>;

fn load_a(row: u32, col: u32) -> f32 {
  if (row >= params.m || col >= params.k) {
    return 0.0;
  }
  if (params.transpose_a != 0u) {
    return a[params.a_offset + col * params.lda + row];
  }
  return a[params.a_offset + row * params.lda + col];
}

fn load_b(row: u32, col: u32) -> f32 {
  if (row >= params.k || col >= params.n) {
    return 0.0;
  }
  if (params.transpose_b != 0u) {
    return b[params.b_offset + col * params.ldb + row];
  }
  return b[params.b_offset + row * params.ldb + col];
}

@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  let flat = lid.y * 8u + lid.x;
  // Blocked sums: `acc` gathers at most BLOCK_TILES tiles (64 terms), then moves into
  // `total`, so a long sum's rounding error grows with 64 + k/64 terms instead of k (the
  // exact SVD's a·Q cancels from ≈ σ₁ down to the tail's σᵢ).
  var acc: array<vec4<f32>, 4>;
  var total: array<vec4<f32>, 4>;
  var tiles = 0u;
  for (var k0 = 0u; k0 < params.k; k0 = k0 + DEPTH) {
    // 64 invocations load 256 values of each tile, four each.
    for (var e = 0u; e < 4u; e = e + 1u) {
      let idx = flat * 4u + e;
      let p = idx / TILE;
      let i = idx % TILE;
      tile_a[p * TILE + i] = load_a(row0 + i, k0 + p);
      tile_b[p * TILE + i] = load_b(k0 + p, col0 + i);
    }
    workgroupBarrier();
    for (var p = 0u; p < DEPTH; p = p + 1u) {
      let bv = vec4<f32>(
        tile_b[p * TILE + lid.x * 4u],
        tile_b[p * TILE + lid.x * 4u + 1u],
        tile_b[p * TILE + lid.x * 4u + 2u],
        tile_b[p * TILE + lid.x * 4u + 3u],
      );
      for (var r = 0u; r < 4u; r = r + 1u) {
        acc[r] = acc[r] + tile_a[p * TILE + lid.y * 4u + r] * bv;
      }
    }
    workgroupBarrier();
    tiles = tiles + 1u;
    if (tiles == BLOCK_TILES) {
      for (var r = 0u; r < 4u; r = r + 1u) {
        total[r] = total[r] + acc[r];
        acc[r] = vec4<f32>(0.0);
      }
      tiles = 0u;
    }
  }
  for (var r = 0u; r < 4u; r = r + 1u) {
    total[r] = total[r] + acc[r];
  }
  for (var r = 0u; r < 4u; r = r + 1u) {
    let row = row0 + lid.y * 4u + r;
    if (row >= params.m) {
      break;
    }
    for (var c = 0u; c < 4u; c = c + 1u) {
      let col = col0 + lid.x * 4u + c;
      if (col < params.n) {
        out[row * params.n + col] = total[r][c];
      }
    }
  }
}
