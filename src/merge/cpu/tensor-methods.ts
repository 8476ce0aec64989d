/**
 * The catalogue's whole-tensor methods on the CPU: one kernel per registry name, each taking
 * the decoded inputs of one tensor, and the per-tensor checks the planner runs before any
 * output exists (so a bad value fails the plan, never a merge half-way).
 */
import type { TensorMethodJob, TensorResult } from '../backend';
import type { JobTemplate } from '../planning/types';
import { cart, isoCts, isoCtsSizes, isoC, tsvM, type MethodInputs } from './svd-merges';
import { emrMethod } from './emr';
import { karcherMethod } from './karcher';
import { nuslerpMethod } from './nuslerp';
import { sceMethod } from './sce';
import { arceeFusionMethod } from './arcee-fusion';
import { multislerpMethod, nearswapMethod, passthroughMethod, ramMethod } from './mergekit-methods';
import { runWhole, type MethodTemplate, type StreamedMethod } from './streamed-methods';
import { pcb } from './pcb';
import { f32View, taskVector } from './unpack';

type Kernel = (job: TensorMethodJob, inputs: MethodInputs) => Float32Array | TensorResult;

const KERNELS: Record<string, Kernel> = {
  tsv_m: tsvM,
  iso_c: isoC,
  iso_cts: isoCts,
  cart,
  pcb,
};

/** The methods that stream in element chunks (streamed-methods.ts). */
const STREAMED: Record<string, StreamedMethod> = {
  multislerp: multislerpMethod,
  sce: sceMethod,
  nearswap: nearswapMethod,
  passthrough: passthroughMethod,
  ram: ramMethod,
  ramplus_tl: ramMethod,
  emr: emrMethod,
  karcher: karcherMethod,
  nuslerp: nuslerpMethod,
  arcee_fusion: arceeFusionMethod,
};

/** The method's streamed form, when it has one and these parameters allow it. */
export function streamedMethod(job: MethodTemplate): StreamedMethod | undefined {
  const method = STREAMED[job.method];
  return method && (method.streams?.(job) ?? true) ? method : undefined;
}

/** A method name the CPU backend has a kernel for. */
export const hasTensorKernel = (method: string) => method in KERNELS || method in STREAMED;

export class TensorMethodError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TensorMethodError';
  }
}

export function mergeTensorMethod(job: TensorMethodJob): TensorResult {
  const streamed = STREAMED[job.method];
  const kernel: Kernel | undefined = streamed
    ? (j, inputs) => runWhole(streamed, j, inputs)
    : KERNELS[job.method];
  if (!kernel) throw new TensorMethodError(`${job.tensorName}: no CPU kernel for "${job.method}"`);
  const result = kernel(job, methodInputs(job));
  return result instanceof Float32Array ? { merged: result } : result;
}

/** The job's inputs decoded to f32 and its task vectors (θ − 0 without a base); checked. */
export function methodInputs(job: TensorMethodJob): MethodInputs {
  const problems = tensorMethodProblems(job);
  if (problems.length > 0) throw new TensorMethodError(problems[0]!);
  const what = (i: number) => `${job.tensorName} (model ${i})`;
  const models = job.models.map((raw, i) => f32View(raw, job.numel, what(i)));
  const base = job.base
    ? f32View(job.base, job.numel, `${job.tensorName} (base)`)
    : new Float32Array(job.numel);
  return { base, taus: models.map((m) => taskVector(base, m)), models };
}

type TensorMethodTemplate = Omit<TensorMethodJob, 'base' | 'models'>;

/** What is wrong with this tensor's parameters for its method (empty: nothing). */
export function tensorMethodProblems(job: JobTemplate | TensorMethodTemplate): string[] {
  if (job.kind !== 'tensor_method') return [];
  const problems: string[] = [];
  const tasks = job.perModel.length;
  if (job.method === 'iso_cts' && job.shape.length === 2) {
    const r = Math.min(job.shape[0]!, job.shape[1]!);
    const fraction = job.global.common_space_fraction;
    const { common } = isoCtsSizes(r, tasks, typeof fraction === 'number' ? fraction : 0.8);
    if (common < 0 || common > r) {
      problems.push(
        `${job.tensorName}: iso_cts: common_space_fraction ${String(fraction)} leaves no common space for a rank-${r} matrix and ${tasks} tasks`,
      );
    }
  }
  if (job.method === 'nearswap' && typeof job.global.t !== 'number') {
    problems.push(`${job.tensorName}: nearswap needs the parameter "t" (mergekit requires it)`);
  }
  return problems;
}
