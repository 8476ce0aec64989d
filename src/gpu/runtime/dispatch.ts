/**
 * Workgroup size of every kernel: 128 is the largest size the compatibility feature level
 * allows by default (shared/BROWSER.md) and ran the TIES benchmark ~1.5× faster than 64 on
 * Mesa's GLES here. Reductions and the sort tiles derive their sizes from it.
 */
export const WORKGROUP_SIZE = 128;

/**
 * 2-D grid for `groups` workgroups: maxComputeWorkgroupsPerDimension is 65535, and a 2^25
 * element tensor needs 2^19 groups. Kernels linearise with `num_workgroups.x`.
 */
export function grid(device: GPUDevice, groups: number): [number, number] {
  const maxX = device.limits.maxComputeWorkgroupsPerDimension;
  if (groups <= maxX) return [Math.max(1, groups), 1];
  const y = Math.ceil(groups / maxX);
  return [Math.ceil(groups / y), y];
}

export function dispatchLinear(
  device: GPUDevice,
  pass: GPUComputePassEncoder,
  threads: number,
  perThread = 1,
): void {
  const groups = Math.ceil(Math.ceil(threads / perThread) / WORKGROUP_SIZE);
  const [x, y] = grid(device, groups);
  pass.dispatchWorkgroups(x, y);
}
