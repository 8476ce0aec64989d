// Block partial sums of products xᵢ·yᵢ for a table of (x, y) input pairs, optionally centred
// on input 0 (task vectors τ = θ − θ₀): slerp's ‖a‖², ‖b‖², ⟨a,b⟩ and Model Stock's pairwise
// dot products, per segment (whole chunk or row).
struct DotParams {
  len: u32,
  centred: u32,
  _a: u32,
  _b: u32,
  grid: ReduceGrid,
  pairs: array<vec4<u32>, 256>,
}

@group(0) @binding(2) var<uniform> params: DotParams;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

fn vec_at(which: u32, i: u32) -> f32 {
  let v = load_input(which, i);
  if (params.centred != 0u) {
    return v - load_input(0u, i);
  }
  return v;
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let task = block_task(params.grid, params.len, wg, nwg);
  var acc = 0.0;
  if (task.valid) {
    let pair = params.pairs[task.q];
    for (var s = 0u; s < ITEMS; s = s + 1u) {
      let i = task.first + s * WG + lid;
      if (i < task.end) {
        acc = acc + vec_at(pair.x, i) * vec_at(pair.y, i);
      }
    }
  }
  let total = block_sum(lid, acc);
  if (task.valid && lid == 0u) {
    out[wg.x + wg.y * nwg.x] = total;
  }
}
