/** WebGPU merge kernels: the MergeBackend twin of the CPU reference (src/merge/cpu). */
export { createWebGpuBackend, type WebGpuBackendOptions } from './merge/webgpu-backend';
export { GpuMergeError } from './merge/packed-inputs';
export { GpuDeviceError } from './runtime/gpu-errors';
export { adapterLabel, type AdapterDescription, type GpuContext } from './adapter';
export { describeBrowserGpu } from './probe';
export { GpuRuntime, type Binding } from './runtime/runtime';
export { DispatchPlan, type Range } from './runtime/dispatch-plan';
export { withValidationScope } from './runtime/gpu-errors';
export { gpuExactSvd } from './merge/exact-svd';
