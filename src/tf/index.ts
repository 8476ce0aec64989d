/** tfjs set-up: which backend (WebGPU on a given device, wasm, cpu) the core's tfjs code runs on. */
export * from './backend';
export * from './sum';
export * from './validation';
