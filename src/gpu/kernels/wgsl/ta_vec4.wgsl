// Vectorised fast path of ta.wgsl's `merge` for the SIMPLE_KEEP case (every model keeps all,
// keeps a band lo <= bits(|d|) <= hi, or keeps nothing; no rescale, l1 factor 1): TA, TIES
// (both consensus modes, model-scope or per-tensor bands), Breadcrumbs. Each invocation merges
// 4 consecutive elements with one vec4 load per F32 input (one vec2<u32> = 4 halves per
// F16/BF16 input): llvmpipe issues storage loads per lane, so this cuts loads 4×. Model count,
// dtypes, keep modes and consensus are pipeline overrides, so the unrolled loop has no
// per-element table or dtype branching. Per lane the f32 operations and their order are those
// of ta.wgsl's merge (and src/merge/cpu): the results are bit-identical.
//
// Standalone (not composed with common.wgsl): the packed inputs are bound twice, as vec4 and
// as vec2 words. PackedInputs aligns every slot offset and size to 4 words, so vector v of an
// F32 input is raw4[offset / 4 + v] and of a 16-bit input raw2[offset / 2 + v]. Lanes past the
// chunk length compute on padding and land in the output's padding, which is never read.
// The kernel also counts the non-finite results (NaN, ±Inf) of the real lanes.
override WG: u32 = 128u;
override MODELS: u32 = 1u;
// 2 bits per input (0 F32, 1 F16, 2 BF16); input 0 is the base, 1 + m model m (≤ 15 models).
override DTYPES: u32 = 0u;
// 2 bits per model: 0 keep all, 1 keep the band (lo, hi) of the model table, 2 keep nothing.
override KEEP: u32 = 0u;
// 0 none, 1 sum, 2 count.
override CONSENSUS: u32 = 0u;

struct InputTable {
  slots: array<vec4<u32>, 64>,
}

// Same layout as ta.wgsl's TaParams (the same uniform buffer is bound).
struct TaParams {
  len: u32,
  first: u32,
  models: u32,
  consensus: u32,
  zero_rule: u32,   // 0 positive, 1 majority
  majority: f32,
  normalize: u32,
  rescale: u32,
  lambda: f32,
  delta_scale: f32,
  row_len: u32,
  rows: u32,
  grid: vec4<u32>,
}

struct ModelParams {
  f: vec4<f32>,   // weight, -, l1 factor (1 here), -
  u: vec4<u32>,   // mode, lo bits, hi bits, -
  v: vec4<u32>,
}

struct ModelTable {
  m: array<ModelParams, 63>,
}

@group(0) @binding(0) var<storage, read> raw4: array<vec4<u32>>;
@group(0) @binding(1) var<uniform> inputs: InputTable;
@group(0) @binding(2) var<uniform> params: TaParams;
@group(0) @binding(3) var<uniform> table: ModelTable;
@group(0) @binding(4) var<storage, read> raw2: array<vec2<u32>>;
@group(0) @binding(5) var<storage, read_write> out4: array<vec4<f32>>;
// NaN / ±Inf results of the chunk (TensorResult.nonFinite: the executor need not scan them).
@group(0) @binding(6) var<storage, read_write> non_finite: atomic<u32>;

// Elements 4v … 4v+3 (chunk-relative) of input k, as f32 (decoded as common.wgsl does).
fn load4(k: u32, v: u32) -> vec4<f32> {
  let dtype = (DTYPES >> (2u * k)) & 3u;
  let offset = inputs.slots[k].x;
  if (dtype == 0u) {
    return bitcast<vec4<f32>>(raw4[(offset >> 2u) + v]);
  }
  let w = raw2[(offset >> 1u) + v];
  if (dtype == 2u) {
    // bf16 is the high half of an f32; the even element is the low half of its word.
    return bitcast<vec4<f32>>(
      vec4<u32>(w.x << 16u, w.x & 0xffff0000u, w.y << 16u, w.y & 0xffff0000u),
    );
  }
  return vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y));
}

// WDₘ = wₘ · kept δ, as ta.wgsl's merge_wd with SIMPLE_KEEP.
fn wd4(m: u32, v: u32, base: vec4<f32>) -> vec4<f32> {
  let d = load4(1u + m, v) - base;
  let mp = table.m[m];
  let mode = (KEEP >> (2u * m)) & 3u;
  var keep = vec4<bool>(mode == 0u);
  if (mode == 1u) {
    let a = bitcast<vec4<u32>>(d) & vec4<u32>(0x7fffffffu);
    keep = (a >= vec4<u32>(mp.u.y)) & (a <= vec4<u32>(mp.u.z));
  }
  return mp.f.x * select(vec4<f32>(0.0), d, keep);
}

fn elected_sign4(s: vec4<f32>) -> vec4<f32> {
  if (params.zero_rule == 0u) {
    return select(vec4<f32>(-1.0), vec4<f32>(1.0), s >= vec4<f32>(0.0));
  }
  let tie = select(-1.0, 1.0, params.majority > 0.0);
  let below = select(vec4<f32>(tie), vec4<f32>(-1.0), s < vec4<f32>(0.0));
  return select(below, vec4<f32>(1.0), s > vec4<f32>(0.0));
}

const CACHED: u32 = 8u;

@compute @workgroup_size(WG)
fn merge4(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let v = gid.x + gid.y * nwg.x * WG;
  if (v >= (params.len + 3u) / 4u) {
    return;
  }
  let base = load4(0u, v);
  var cache: array<vec4<f32>, CACHED>;
  var elected = vec4<f32>(0.0);
  if (CONSENSUS != 0u) {
    var s = vec4<f32>(0.0);
    for (var m = 0u; m < MODELS; m = m + 1u) {
      let wd = wd4(m, v, base);
      if (m < CACHED) {
        cache[m] = wd;
      }
      s = s + select(wd, sign(wd), CONSENSUS == 2u);
    }
    elected = elected_sign4(s);
  }
  var mixed = vec4<f32>(0.0);
  var div = vec4<f32>(0.0);
  for (var m = 0u; m < MODELS; m = m + 1u) {
    var wd: vec4<f32>;
    if (CONSENSUS != 0u && m < CACHED) {
      wd = cache[m];
    } else {
      wd = wd4(m, v, base);
    }
    let w = vec4<f32>(table.m[m].f.x);
    if (CONSENSUS == 0u) {
      mixed = mixed + wd;
      div = div + w;
    } else {
      let take = (wd != vec4<f32>(0.0)) & (sign(wd) == elected);
      mixed = select(mixed, mixed + wd, take);
      div = select(div, div + w, take);
    }
  }
  if (params.normalize != 0u) {
    mixed = mixed / select(div, vec4<f32>(1.0), abs(div) < vec4<f32>(1e-8));
  }
  mixed = (mixed * params.lambda) * params.delta_scale;
  let merged = base + mixed;
  out4[v] = merged;
  // Exponent all ones: NaN or ±Inf. Only real lanes count (padding lanes hold garbage).
  let bad = (bitcast<vec4<u32>>(merged) & vec4<u32>(0x7f800000u)) == vec4<u32>(0x7f800000u);
  if (any(bad)) {
    let real = (vec4<u32>(4u * v) + vec4<u32>(0u, 1u, 2u, 3u)) < vec4<u32>(params.len);
    let n = dot(select(vec4<u32>(0u), vec4<u32>(1u), bad & real), vec4<u32>(1u));
    if (n > 0u) {
      atomicAdd(&non_finite, n);
    }
  }
}
