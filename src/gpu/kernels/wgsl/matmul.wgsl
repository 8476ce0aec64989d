// out (m × n) = op(a) (m × k) · op(b) (k × n), row-major f32, for the SVD merges' big
// products (src/merge/cpu/dense.ts matmul / matmulTN / matmulNT, which accumulate in f64;
// this accumulates in f32). `transpose_a` reads a as the transpose of its stored k × m
// matrix, `transpose_b` reads b as the transpose of its stored n × k matrix: aᵀ·b for the
// range finder's aᵀ·Q and the tall Gram matrix aᵀa, a·bᵀ for the wide Gram matrix a·aᵀ.
// 8 × 8 invocations per workgroup (within the compatibility limit of 128), each computing a
// 4 × 4 block of a 32 × 32 output tile from 32 × 8 tiles of a and b in workgroup memory:
// sixteen outputs per invocation read each loaded value four times from registers.
//
// COMPENSATED (the exact SVD's W = aᵀ·Q, exact-svd.ts): each product's rounding error
// (Dekker's TwoProduct) and each addition's (Knuth's TwoSum) go into a second f32 sum (Ogita,
// Rump & Oishi's Dot2), and `out` holds the sums at [0, m·n) and their compensations at
// [m·n, 2·m·n), added in float64 by the host: as accurate as a sum in twice the precision,
// where the plain sums lose ≈ ε·Σ|aᵢ·bᵢ| to cancellation. TwoProduct through
// fma(a, b, −p) is no use here: GLSL's fma may run unfused, and on Dawn's GLES backend over
// llvmpipe it does (it returned 0); the halves below make every partial product exact.
override WG: u32 = 64u;
override COMPENSATED: bool = false;

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
  // 1.0, unknown to the compiler: multiplying by it hides TwoSum's (a + b) − a from algebraic
  // simplification to b, which cancelled the compensation away on Dawn GLES / llvmpipe
  // (src/gpu/testing/compensated-cases.ts checks, in Node and in Chromium).
  one: f32,
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

// The rounding error of s = x + y (Knuth's TwoSum, exact in round-to-nearest).
fn two_sum_error(x: vec4<f32>, y: vec4<f32>, s: vec4<f32>) -> vec4<f32> {
  let y_part = s * params.one - x;
  return (x - (s - y_part)) + (y - y_part);
}

// The top 12 significant bits of x (sign, exponent, 11 stored bits): x − high(x) is exact
// and also has ≤ 12 bits, so products of halves are exact in f32. Integer masking, unlike
// Veltkamp's 4097·x split, leaves the compiler nothing to simplify or contract.
fn high_half(x: vec4<f32>) -> vec4<f32> {
  return bitcast<vec4<f32>>(bitcast<vec4<u32>>(x) & vec4<u32>(0xfffff000u));
}

// The rounding error of p = x·y (Dekker's TwoProduct, given the halves of x and y).
fn two_product_error(
  xh: vec4<f32>,
  xl: vec4<f32>,
  yh: vec4<f32>,
  yl: vec4<f32>,
  p: vec4<f32>,
) -> vec4<f32> {
  return ((xh * yh - p) + xh * yl + xl * yh) + xl * yl;
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
      let bh = high_half(bv);
      let bl = bv - bh;
      for (var r = 0u; r < 4u; r = r + 1u) {
        let av = vec4<f32>(tile_a[p * TILE + lid.y * 4u + r]);
        if (COMPENSATED) {
          // acc: the running sum, total: its compensation (the blocks below are not needed).
          let ah = high_half(av);
          let prod = av * bv;
          let sum = acc[r] + prod;
          let err = two_product_error(ah, av - ah, bh, bl, prod);
          total[r] = total[r] + (two_sum_error(acc[r], prod, sum) + err);
          acc[r] = sum;
        } else {
          acc[r] = acc[r] + av * bv;
        }
      }
    }
    workgroupBarrier();
    tiles = tiles + 1u;
    if (!COMPENSATED && tiles == BLOCK_TILES) {
      for (var r = 0u; r < 4u; r = r + 1u) {
        total[r] = total[r] + acc[r];
        acc[r] = vec4<f32>(0.0);
      }
      tiles = 0u;
    }
  }
  if (!COMPENSATED) {
    for (var r = 0u; r < 4u; r = r + 1u) {
      total[r] = total[r] + acc[r];
    }
  }
  for (var r = 0u; r < 4u; r = r + 1u) {
    let row = row0 + lid.y * 4u + r;
    if (row >= params.m) {
      break;
    }
    for (var c = 0u; c < 4u; c = c + 1u) {
      let col = col0 + lid.x * 4u + c;
      if (col < params.n && COMPENSATED) {
        out[row * params.n + col] = acc[r][c];
        out[(params.m + row) * params.n + col] = total[r][c];
      } else if (col < params.n) {
        out[row * params.n + col] = total[r][c];
      }
    }
  }
}
