// Generalized task arithmetic (TA, TIES, DARE, Breadcrumbs, DELLA) for one chunk; see
// src/merge/cpu/task-arithmetic.ts and sparsify.ts for the definitions this mirrors.
// Inputs: 0 = base, 1 + m = model m. Per-model mode 0 keeps everything.

const MODE_BAND: u32 = 1u;      // keep lo <= bits(|d|) <= hi (per-tensor or model-scope)
const MODE_ROW_BAND: u32 = 2u;  // same with per-row (lo, hi) from row_band
const MODE_RANDOM: u32 = 3u;    // DARE: bits24 < t24
const MODE_DELLA: u32 = 4u;     // keep_p[m][i] > 0 (that value is the keep probability)
const MODE_NONE: u32 = 5u;      // keep nothing
// MODE_BAND whose edge ties are kept by flat tensor index (mergekit's exactly-k trims,
// src/merge/exact-k.ts): |d| = lo only at an index in [v.y, v.z), |d| = hi only below v.w.
const MODE_BAND_CUT: u32 = 6u;

struct TaParams {
  len: u32,
  first: u32,
  models: u32,
  consensus: u32,   // 0 none, 1 sum, 2 count
  zero_rule: u32,   // 0 positive, 1 majority
  majority: f32,
  normalize: u32,
  rescale: u32,     // 0 none, 1 l1, 2 inverse_density
  lambda: f32,
  delta_scale: f32,
  row_len: u32,
  rows: u32,
  grid: ReduceGrid,
}

struct ModelParams {
  f: vec4<f32>,   // weight, keep probability for inverse_density, l1 factor, -
  u: vec4<u32>,   // mode, lo bits, hi bits, random stream key
  v: vec4<u32>,   // t24 threshold for MODE_RANDOM; MODE_BAND_CUT: lo ties' [from, to), hi ties' to
}

struct ModelTable {
  m: array<ModelParams, 63>,
}

@group(0) @binding(2) var<uniform> params: TaParams;
@group(0) @binding(3) var<uniform> table: ModelTable;
@group(0) @binding(4) var<storage, read> row_band: array<u32>;
@group(0) @binding(5) var<storage, read> keep_p: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;

// Sparsified (and inverse_density-rescaled) delta of model m at chunk element i.
fn kept_delta(m: u32, i: u32, d: f32) -> f32 {
  let mp = table.m[m];
  let a = bitcast<u32>(d) & 0x7fffffffu;
  var keep = true;
  var p = mp.f.y;
  switch mp.u.x {
    case MODE_BAND: {
      keep = a >= mp.u.y && a <= mp.u.z;
    }
    case MODE_BAND_CUT: {
      let index = params.first + i;
      keep = a >= mp.u.y && a <= mp.u.z;
      if (a == mp.u.y) {
        keep = keep && index >= mp.v.y && index < mp.v.z;
      }
      if (a == mp.u.z) {
        keep = keep && index < mp.v.w;
      }
    }
    case MODE_ROW_BAND: {
      let slot = (m * params.rows + i / params.row_len) * 2u;
      keep = a >= row_band[slot] && a <= row_band[slot + 1u];
    }
    case MODE_RANDOM: {
      keep = element_bits24(mp.u.w, params.first + i) < mp.v.x;
    }
    case MODE_DELLA: {
      p = keep_p[m * params.len + i];
      keep = p > 0.0;
    }
    case MODE_NONE: {
      keep = false;
    }
    default: {
      // MODE_ALL
    }
  }
  if (!keep) {
    return 0.0;
  }
  if (params.rescale == 2u) {
    return d / p;
  }
  return d;
}

// WDₘ = wₘ·(kept·l1 factor), each product rounded to f32 as the CPU does.
fn weighted_delta(m: u32, i: u32, base: f32) -> f32 {
  let d = load_input(1u + m, i) - base;
  let k = kept_delta(m, i, d) * table.m[m].f.z;
  return table.m[m].f.x * k;
}

fn elected_sign(s: f32) -> f32 {
  if (params.zero_rule == 0u) {
    return select(-1.0, 1.0, s >= 0.0);
  }
  if (s > 0.0) {
    return 1.0;
  }
  if (s < 0.0) {
    return -1.0;
  }
  return select(-1.0, 1.0, params.majority > 0.0);
}

fn election_sum(i: u32, base: f32) -> f32 {
  var s = 0.0;
  for (var m = 0u; m < params.models; m = m + 1u) {
    let wd = weighted_delta(m, i, base);
    s = s + select(wd, sign(wd), params.consensus == 2u);
  }
  return s;
}

// Up to CACHED models keep their WDₘ in registers between the election and the merge loop;
// more models recompute it (same numbers either way).
const CACHED: u32 = 8u;

// The model count baked into the merge pipeline (constant loop bounds unroll on GL drivers).
override MODELS: u32 = 1u;

// Also baked into the merge pipeline: the consensus (3 = read params.consensus) and whether
// every model only keeps all, keeps a band or keeps nothing with no rescale and l1 factor 1
// (TA, TIES with model-scope thresholds), so the driver compiles a branch-free loop.
override CONSENSUS_BAKED: u32 = 3u;
override SIMPLE_KEEP: bool = false;

fn consensus_mode() -> u32 {
  if (CONSENSUS_BAKED != 3u) {
    return CONSENSUS_BAKED;
  }
  return params.consensus;
}

// weighted_delta for the merge kernel: the same f32 value, without the mode switch when
// SIMPLE_KEEP (keep = mode all, or mode band and lo ≤ bits(|d|) ≤ hi; × l1 factor 1 is exact).
fn merge_wd(m: u32, i: u32, base: f32) -> f32 {
  if (!SIMPLE_KEEP) {
    return weighted_delta(m, i, base);
  }
  let d = load_input(1u + m, i) - base;
  let mp = table.m[m];
  let a = bitcast<u32>(d) & 0x7fffffffu;
  let keep = mp.u.x == 0u || (mp.u.x == MODE_BAND && a >= mp.u.y && a <= mp.u.z);
  return mp.f.x * select(0.0, d, keep);
}

@compute @workgroup_size(WG)
fn merge(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= params.len) {
    return;
  }
  let base = load_input(0u, i);
  let consensus = consensus_mode();
  var cache: array<f32, CACHED>;
  var elected = 0.0;
  if (consensus != 0u) {
    var s = 0.0;
    for (var m = 0u; m < MODELS; m = m + 1u) {
      let wd = merge_wd(m, i, base);
      if (m < CACHED) {
        cache[m] = wd;
      }
      s = s + select(wd, sign(wd), consensus == 2u);
    }
    elected = elected_sign(s);
  }
  var mixed = 0.0;
  var div = 0.0;
  for (var m = 0u; m < MODELS; m = m + 1u) {
    var wd: f32;
    if (consensus != 0u && m < CACHED) {
      wd = cache[m];
    } else {
      wd = merge_wd(m, i, base);
    }
    if (consensus == 0u || (wd != 0.0 && sign(wd) == elected)) {
      mixed = mixed + wd;
      div = div + table.m[m].f.x;
    }
  }
  if (params.normalize != 0u) {
    mixed = mixed / select(div, 1.0, abs(div) < 1e-8);
  }
  mixed = (mixed * params.lambda) * params.delta_scale;
  out[i] = base + mixed;
}

// Σ|δₘ| (q = 2m) and Σ|keptₘ| (q = 2m+1) per block, for the l1 rescale factor.
@compute @workgroup_size(WG)
fn l1_sums(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let task = block_task(params.grid, params.len, wg, nwg);
  var acc = 0.0;
  if (task.valid) {
    let m = task.q >> 1u;
    for (var s = 0u; s < ITEMS; s = s + 1u) {
      let i = task.first + s * WG + lid;
      if (i < task.end) {
        let d = load_input(1u + m, i) - load_input(0u, i);
        acc = acc + abs(select(d, kept_delta(m, i, d), (task.q & 1u) == 1u));
      }
    }
  }
  let total = block_sum(lid, acc);
  if (task.valid && lid == 0u) {
    out[wg.x + wg.y * nwg.x] = total;
  }
}

// Σ sign(S) per block (S the raw election statistic), for the majority-sign pre-pass.
@compute @workgroup_size(WG)
fn sign_sums(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let task = block_task(params.grid, params.len, wg, nwg);
  var acc = 0.0;
  if (task.valid) {
    for (var s = 0u; s < ITEMS; s = s + 1u) {
      let i = task.first + s * WG + lid;
      if (i < task.end) {
        acc = acc + sign(election_sum(i, load_input(0u, i)));
      }
    }
  }
  let total = block_sum(lid, acc);
  if (task.valid && lid == 0u) {
    out[wg.x + wg.y * nwg.x] = total;
  }
}
