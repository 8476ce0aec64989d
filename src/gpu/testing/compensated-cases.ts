/**
 * The checks that matmul.wgsl's COMPENSATED kernel survives the shader compiler, run by
 * matmul.spec.ts (Node: Dawn's GLES backend over llvmpipe) and e2e/kernels.e2e.ts (Chromium:
 * Tint → SPIR-V → lavapipe). Each case is one the plain f32 kernel gets wrong, against exact
 * float64 values, so a compiler that contracted or simplified the compensation away fails it.
 * Only numbers come back (the page returns them to Playwright).
 */
import { exactSvd, gaussian, matmul, matmulTN, reconstruct, zeros, type Mat } from '../../merge';
import { relativeError } from '../../merge/testing';
import { adapterLabel } from '../adapter';
import { browserGpu } from '../browser-gpu';
import type { GpuRuntime } from '../runtime/runtime';
import { GpuMatrix } from '../merge/matmul';
import { createWebGpuBackend } from '../merge/webgpu-backend';

/** Plain and compensated results of one case, each as its error against the exact values. */
export interface CaseErrors {
  plain: number;
  compensated: number;
}

export interface CompensatedReport {
  /** k = 1: each entry is one f32 × f32 product, exact in float64 (entries that differ). */
  twoProduct: CaseErrors;
  /** Rows (u, v·2⁻³⁰, −u) times ones: f32 loses v in u + v (relative error). */
  twoSum: CaseErrors;
  /** A float64 matrix times the identity: its f32 rounding must come back (relative). */
  float64Operand: CaseErrors;
  /** aᵀ·Q with σ from 1 to 1e-4: the worst column's error relative to that column. */
  tailColumns: CaseErrors;
}

/** What each case must show: the compensated kernel within `within`, the plain one above `plainAbove`. */
export const COMPENSATED_BOUNDS: Record<
  keyof CompensatedReport,
  { within: number; plainAbove: number }
> = {
  twoProduct: { within: 0, plainAbove: 0 },
  twoSum: { within: 0, plainAbove: 0.5 },
  float64Operand: { within: 1e-13, plainAbove: 1e-9 },
  tailColumns: { within: 1e-9, plainAbove: 1e-5 },
};

/** The names of the cases whose errors break COMPENSATED_BOUNDS (empty: all hold). */
export function compensatedFailures(report: CompensatedReport): string[] {
  return (Object.keys(COMPENSATED_BOUNDS) as (keyof CompensatedReport)[]).filter((name) => {
    const { within, plainAbove } = COMPENSATED_BOUNDS[name];
    const e = report[name];
    return !(e.compensated <= within && e.plain > plainAbove);
  });
}

/** Browser test entry (e2e/kernels.e2e.ts through callInPage): the report on the page's adapter. */
export async function compensatedInPage(): Promise<{ adapter: string; report: CompensatedReport }> {
  const ctx = await browserGpu();
  if (!ctx) throw new Error('no WebGPU adapter in this page');
  const gpu = createWebGpuBackend(ctx);
  try {
    return { adapter: adapterLabel(ctx.info), report: await compensatedReport(gpu.runtime) };
  } finally {
    gpu.dispose();
  }
}

export async function compensatedReport(rt: GpuRuntime): Promise<CompensatedReport> {
  return {
    twoProduct: await twoProduct(rt),
    twoSum: await twoSum(rt),
    float64Operand: await float64Operand(rt),
    tailColumns: await tailColumns(rt),
  };
}

type Run = (g: GpuMatrix) => Promise<Mat>;

/** The product on a plain and on a compensated matrix holding the same data. */
async function both(rt: GpuRuntime, data: Mat<Float32Array | Float64Array>, run: Run) {
  const results: Mat[] = [];
  for (const compensated of [false, true]) {
    const g = new GpuMatrix(rt, data.data, data.rows, data.cols, compensated);
    try {
      results.push(await run(g));
    } finally {
      await g.dispose();
    }
  }
  return { plain: results[0]!, compensated: results[1]! };
}

const f32 = (m: Mat): Mat<Float32Array> => ({ ...m, data: Float32Array.from(m.data) });
const mismatches = (a: Mat, exact: Mat) => a.data.filter((v, i) => v !== exact.data[i]).length;

async function twoProduct(rt: GpuRuntime): Promise<CaseErrors> {
  const a = f32(gaussian(37, 1, 5));
  const x = f32(gaussian(1, 9, 6));
  const exact = matmul(a, x);
  const r = await both(rt, a, (g) => g.times({ ...x, data: Float64Array.from(x.data) }));
  return { plain: mismatches(r.plain, exact), compensated: mismatches(r.compensated, exact) };
}

async function twoSum(rt: GpuRuntime): Promise<CaseErrors> {
  const rows = 20;
  const u = gaussian(rows, 1, 7).data;
  const v = gaussian(rows, 1, 8).data;
  const a = zeros(rows, 3);
  for (let i = 0; i < rows; i++) a.data.set([u[i]!, Math.fround(v[i]! * 2 ** -30), -u[i]!], i * 3);
  const ones: Mat = { rows: 3, cols: 1, data: new Float64Array(3).fill(1) };
  const exact = Array.from({ length: rows }, (_, i) => a.data[i * 3 + 1]!);
  const r = await both(rt, f32(a), (g) => g.times(ones));
  return {
    plain: relativeError(r.plain.data, exact),
    compensated: relativeError(r.compensated.data, exact),
  };
}

async function float64Operand(rt: GpuRuntime): Promise<CaseErrors> {
  const a = gaussian(24, 64, 9);
  const eye = zeros(64, 8);
  for (let i = 0; i < 8; i++) eye.data[i * 8 + i] = 1;
  const exact = matmul(a, eye).data;
  const r = await both(rt, a, (g) => g.times(eye));
  return {
    plain: relativeError(r.plain.data, exact),
    compensated: relativeError(r.compensated.data, exact),
  };
}

/**
 * a = U·diag(σ)·Vᵀ with σ from 1 down to 1e-4 and Q its left singular vectors (float64), so
 * column i of aᵀ·Q is σᵢ·vᵢ: sums that cancel from ≈ σ₁ down to σᵢ (exact-svd.ts's W).
 */
async function tailColumns(rt: GpuRuntime): Promise<CaseErrors> {
  const [m, n] = [24, 64];
  const sigma = Float64Array.from({ length: m }, (_, i) => 10 ** ((-4 * i) / (m - 1)));
  const a = f32(reconstruct({ ...exactSvd(gaussian(m, n, 10)), s: sigma }));
  const q = exactSvd(a).u;
  const exact = matmulTN(a, q);
  const r = await both(rt, a, (g) => g.transposeTimes(q, true));
  return { plain: worstColumn(r.plain, exact), compensated: worstColumn(r.compensated, exact) };
}

/** The largest max-abs error of a column of w relative to that column of `exact`. */
function worstColumn(w: Mat, exact: Mat): number {
  let worst = 0;
  for (let j = 0; j < exact.cols; j++) {
    const col = (x: Mat) => Array.from({ length: x.rows }, (_, i) => x.data[i * x.cols + j]!);
    worst = Math.max(worst, relativeError(col(w), col(exact)));
  }
  return worst;
}
