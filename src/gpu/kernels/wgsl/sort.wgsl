// Per-row order statistics of |δ| of one model (row-wise Breadcrumbs / magnitude, DELLA):
// keys = bits(|δ|) per row padded to a power of two with 0xffffffff, sorted ascending by a
// segmented bitonic network (steps with j ≤ WG run in workgroup memory), then read by
// row_band (edge values) or della (ranks).
// Inputs: 0 = base, 1 + model.
struct SortParams {
  len: u32,        // chunk elements (rows · row_len)
  row_len: u32,
  rows: u32,
  padded: u32,     // power of two ≥ row_len
  model: u32,
  k: u32,          // bitonic stage
  j: u32,          // bitonic step
  key: u32,        // random stream key (della)
  // row_band: drop-everything flag, index (ascending) of lo and hi edges
  none: u32,
  lo_index: u32,
  hi_index: u32,
  first: u32,      // global index of the chunk's first element (random stream position)
  total: u32,      // keys: rows · padded, rounded up to a whole number of 2·WG tiles
  _a: u32,
  _b: u32,
  _c: u32,
}

@group(0) @binding(2) var<uniform> params: SortParams;
@group(0) @binding(3) var<storage, read_write> keys: array<u32>;
// della: per rank (t24 threshold, bits of the keep probability p)
@group(0) @binding(4) var<storage, read> rank_table: array<vec2<u32>>;
// row_band: (lo, hi) per row at model·rows; della: keep probability (0 = dropped) per element.
@group(0) @binding(5) var<storage, read_write> result: array<u32>;

fn abs_bits(i: u32) -> u32 {
  return bitcast<u32>(load_input(1u + params.model, i) - load_input(0u, i)) & 0x7fffffffu;
}

@compute @workgroup_size(WG)
fn fill(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= params.total) {
    return;
  }
  let row = i / params.padded;
  let col = i % params.padded;
  let real = row < params.rows && col < params.row_len;
  keys[i] = select(0xffffffffu, abs_bits(min(row * params.row_len + col, params.len - 1u)), real);
}

// One global compare-exchange step (k, j ≥ 2·WG): thread t owns the pair (i, i + j).
@compute @workgroup_size(WG)
fn step(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = linear_index(gid, nwg);
  if (t >= params.total / 2u) {
    return;
  }
  let j = params.j;
  let i = 2u * j * (t / j) + (t % j);
  let ascending = ((i % params.padded) & params.k) == 0u;
  let a = keys[i];
  let b = keys[i + j];
  if ((a > b) == ascending) {
    keys[i] = b;
    keys[i + j] = a;
  }
}

var<workgroup> tile: array<u32, 2u * WG>;

// Every step with j ≤ WG of stage k inside one 2·WG-key tile in workgroup memory; k = 0 runs
// all stages 2 … min(padded, 2·WG) (a complete sort of each tile's rows or bitonic runs).
@compute @workgroup_size(WG)
fn local_steps(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let block = wg.x + wg.y * nwg.x;
  let first = block * 2u * WG;
  let valid = first < params.total;
  tile[lid] = select(0xffffffffu, keys[min(first + lid, params.total - 1u)], valid);
  tile[lid + WG] = select(0xffffffffu, keys[min(first + lid + WG, params.total - 1u)], valid);
  workgroupBarrier();
  let full = params.k == 0u;
  var kk = select(params.k, 2u, full);
  let k_end = select(params.k, min(params.padded, 2u * WG), full);
  while (kk <= k_end) {
    var j = min(kk / 2u, WG);
    while (j > 0u) {
      let i = 2u * j * (lid / j) + (lid % j);
      let ascending = (((first + i) % params.padded) & kk) == 0u;
      let a = tile[i];
      let b = tile[i + j];
      if ((a > b) == ascending) {
        tile[i] = b;
        tile[i + j] = a;
      }
      workgroupBarrier();
      j = j / 2u;
    }
    kk = kk * 2u;
  }
  if (valid) {
    keys[first + lid] = tile[lid];
    keys[first + lid + WG] = tile[lid + WG];
  }
}

@compute @workgroup_size(WG)
fn row_band(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = linear_index(gid, nwg);
  if (row >= params.rows) {
    return;
  }
  let slot = (params.model * params.rows + row) * 2u;
  if (params.none != 0u) {
    result[slot] = 0xffffffffu;
    result[slot + 1u] = 0u;
    return;
  }
  result[slot] = keys[row * params.padded + params.lo_index];
  result[slot + 1u] = keys[row * params.padded + params.hi_index];
}

// rank = number of elements of the row with strictly smaller |δ| (lower bound in the sorted row).
@compute @workgroup_size(WG)
fn della(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= params.len) {
    return;
  }
  let row = i / params.row_len;
  let a = abs_bits(i);
  var lo = 0u;
  var hi = params.row_len;
  let start = row * params.padded;
  while (lo < hi) {
    let mid = (lo + hi) >> 1u;
    if (keys[start + mid] < a) {
      lo = mid + 1u;
    } else {
      hi = mid;
    }
  }
  let entry = rank_table[lo];
  let keep = element_bits24(params.key, params.first + i) < entry.x;
  result[params.model * params.len + i] = select(0u, entry.y, keep);
}

// Rows of at most ROW_KEYS (padded) keys: one workgroup sorts a whole row in workgroup memory
// (every bitonic step there, one barrier each) and reads its statistics from it. On software
// drivers this avoids the global passes and the many small tiles of the path above.
const ROW_KEYS: u32 = 2048u;
var<workgroup> row_keys: array<u32, ROW_KEYS>;

fn sort_row_local(row: u32, lid: u32) {
  let first = row * params.row_len;
  for (var c = lid; c < params.padded; c = c + WG) {
    row_keys[c] = select(0xffffffffu, abs_bits(first + min(c, params.row_len - 1u)), c < params.row_len);
  }
  workgroupBarrier();
  for (var k = 2u; k <= params.padded; k = k * 2u) {
    for (var j = k / 2u; j > 0u; j = j / 2u) {
      for (var t = lid; t < params.padded / 2u; t = t + WG) {
        // j is a power of two: i = 2j·⌊t/j⌋ + t mod j with shifts and masks only.
        let i = ((t & ~(j - 1u)) << 1u) | (t & (j - 1u));
        let ascending = (i & k) == 0u;
        let a = row_keys[i];
        let b = row_keys[i + j];
        if ((a > b) == ascending) {
          row_keys[i] = b;
          row_keys[i + j] = a;
        }
      }
      workgroupBarrier();
    }
  }
}

@compute @workgroup_size(WG)
fn row_band_local(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wg.x + wg.y * nwg.x;
  if (row >= params.rows) {
    return;
  }
  sort_row_local(row, lid);
  if (lid == 0u) {
    let slot = (params.model * params.rows + row) * 2u;
    result[slot] = select(row_keys[params.lo_index], 0xffffffffu, params.none != 0u);
    result[slot + 1u] = select(row_keys[params.hi_index], 0u, params.none != 0u);
  }
}

@compute @workgroup_size(WG)
fn della_local(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wg.x + wg.y * nwg.x;
  if (row >= params.rows) {
    return;
  }
  sort_row_local(row, lid);
  for (var c = lid; c < params.row_len; c = c + WG) {
    let i = row * params.row_len + c;
    let a = abs_bits(i);
    var lo = 0u;
    var hi = params.row_len;
    while (lo < hi) {
      let mid = (lo + hi) >> 1u;
      if (row_keys[mid] < a) {
        lo = mid + 1u;
      } else {
        hi = mid;
      }
    }
    let entry = rank_table[lo];
    let keep = element_bits24(params.key, params.first + i) < entry.x;
    result[params.model * params.len + i] = select(0u, entry.y, keep);
  }
}
