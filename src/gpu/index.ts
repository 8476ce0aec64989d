/** WebGPU merge kernels: the MergeBackend twin of the CPU reference (src/merge/cpu). */
export { createWebGpuBackend, type WebGpuBackendOptions } from './merge/webgpu-backend';
export { GpuMergeError } from './merge/packed-inputs';
export { GpuDeviceError } from './runtime/gpu-errors';
export { adapterLabel, type AdapterDescription, type GpuContext } from './adapter';
export { describeBrowserGpu } from './probe';
