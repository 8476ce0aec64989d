// Segmented block reduction shared by the reduction kernels. Workgroup w of a 2-D grid takes
// quantity q, segment s (a row, or the whole chunk) and block b of that segment; every thread
// sums ITEMS strided elements serially in f32, then the workgroup sums the WG partials as a
// tree. Partials (one per workgroup) are read back and added in f64 on the CPU.
const ITEMS: u32 = 16u;

struct ReduceGrid {
  quantities: u32,
  segments: u32,
  seg_len: u32,
  blocks_per_seg: u32,
}

struct BlockTask {
  valid: bool,
  q: u32,
  // [first, end) element range (chunk-relative) of this block, and its stride layout.
  first: u32,
  end: u32,
}

var<workgroup> scratch: array<f32, WG>;

fn block_task(grid: ReduceGrid, len: u32, wg: vec3<u32>, nwg: vec3<u32>) -> BlockTask {
  let wid = wg.x + wg.y * nwg.x;
  let per_q = grid.segments * grid.blocks_per_seg;
  var t: BlockTask;
  t.valid = wid < grid.quantities * per_q;
  t.q = wid / max(per_q, 1u);
  let rest = wid % max(per_q, 1u);
  let seg = rest / max(grid.blocks_per_seg, 1u);
  let blk = rest % max(grid.blocks_per_seg, 1u);
  let seg_start = seg * grid.seg_len;
  t.first = seg_start + blk * WG * ITEMS;
  t.end = min(min(seg_start + grid.seg_len, len), t.first + WG * ITEMS);
  return t;
}

// Must be reached by every thread of the workgroup (it contains barriers).
fn block_sum(lid: u32, v: f32) -> f32 {
  scratch[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      scratch[lid] = scratch[lid] + scratch[lid + s];
    }
    workgroupBarrier();
  }
  return scratch[0];
}
