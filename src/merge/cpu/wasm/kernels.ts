/**
 * The SIMD kernels of kernels.wat, instantiated on demand. `loadKernels()` returns undefined
 * where WebAssembly SIMD is missing (then the TypeScript loops run): every caller keeps its
 * TS path, so nothing depends on it but speed. Each instance owns one growable memory; a
 * caller lays its arrays out in it and must re-read `f32` / `u32` after `reserve` (growing
 * detaches the old views).
 */
import { KERNELS_WASM_BASE64 } from './kernels.generated';

/** One model's tile and its drop, the leading arguments of dareDelta and dareSums. */
type DareTile = [x: number, base: number, groups: number, key: number, index: number, t24: number];

interface KernelExports {
  memory: WebAssembly.Memory;
  sumPlain(base: number, tab: number, k: number, groups: number, acc: number): void;
  sumMasked(base: number, tab: number, k: number, groups: number, acc: number): void;
  elect(
    base: number,
    tab: number,
    k: number,
    groups: number,
    acc: number,
    div: number,
    scratch: number,
    count: number,
    rule: number,
    maj: number,
  ): number;
  finish(
    base: number,
    acc: number,
    div: number,
    groups: number,
    out: number,
    normalize: number,
    fixed: number,
    fixedDiv: number,
    lambda: number,
    scale: number,
    tiny: number,
  ): number;
  dareDelta(...args: [...DareTile, mode: number, factor: number, out: number]): void;
  dareSums(...args: [...DareTile, sums: number]): void;
  rankRow(
    bits: number,
    n: number,
    order: number,
    spare: number,
    counts: number,
    ranks: number,
  ): void;
  histogram(
    base: number,
    x: number,
    n: number,
    hist: number,
    /** Bytes between the rows of lanes 0–3 (0: one row for all). */
    stride: number,
    lo: number,
    span: number,
    kept: number,
  ): number;
}

export class WasmKernels {
  f32: Float32Array;
  u32: Uint32Array;
  constructor(readonly exports: KernelExports) {
    this.f32 = new Float32Array(exports.memory.buffer);
    this.u32 = new Uint32Array(exports.memory.buffer);
  }

  /** Grows the memory to at least `bytes` (never shrinks). */
  reserve(bytes: number): void {
    const have = this.exports.memory.buffer.byteLength;
    if (have >= bytes) return;
    this.exports.memory.grow(Math.ceil((bytes - have) / 65536));
    this.f32 = new Float32Array(this.exports.memory.buffer);
    this.u32 = new Uint32Array(this.exports.memory.buffer);
  }
}

let compiled: WebAssembly.Module | null | undefined;

function compile(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const text = atob(KERNELS_WASM_BASE64);
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    // Synchronous: the module is ~3.2 KB (browsers may refuse sync compiles above 4 KB on
    // the main thread: a kernel that takes it past that needs an async compile first), and
    // the merge loops that use it are synchronous.
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Tests set this to run the TypeScript paths alone. */
let disabled = false;
export function setWasmKernelsEnabled(enabled: boolean): void {
  disabled = !enabled;
}

/** A fresh instance (own memory), or undefined without WebAssembly SIMD. */
export function loadKernels(): WasmKernels | undefined {
  if (disabled || typeof WebAssembly === 'undefined') return undefined;
  const module = compile();
  if (!module) return undefined;
  const instance = new WebAssembly.Instance(module, {});
  return new WasmKernels(instance.exports as unknown as KernelExports);
}

let shared: WasmKernels | null | undefined;
/** One instance for the synchronous merge loops of this thread (never used re-entrantly). */
export function sharedKernels(): WasmKernels | undefined {
  if (disabled) return undefined;
  if (shared === undefined) shared = loadKernels() ?? null;
  return shared ?? undefined;
}
