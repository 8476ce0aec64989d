/**
 * The fused WebGPU AdaMerging step for a CLIP problem, when it can run: a device (given, or
 * tfjs-webgpu's), engine 'auto', a vision config the kernels support (adamerging/fused/
 * clip-record.ts). Otherwise null and the session learns through tfjs autodiff.
 */
import * as tf from '@tensorflow/tfjs';
import type { Params } from '../../core';
import type { ClipConfig } from '../../models';
import { FusedAdaMerging } from '../adamerging/fused/engine';
import { fusedDevice } from '../adamerging/fused/from-problem';
import { FUSED_STEPS } from '../adamerging/fused/steps';

const STEP = FUSED_STEPS.clip;

/** True when the fused CLIP kernels fit the vision config (else tfjs autodiff runs). */
export const clipFusedSupports = (config: ClipConfig): boolean => STEP.supports(config);
import type { ResolvedOptions } from '../adamerging/types';
import type { ClipHostProblem } from './problem';

const arrays = (p: Params): Map<string, Float32Array> =>
  new Map([...p].map(([n, t]) => [n, t.data]));

export function clipFusedEngineFor(
  host: ClipHostProblem,
  options: ResolvedOptions,
  perTask: number,
  columns: number,
  gpu: GPUDevice | null,
): FusedAdaMerging | null {
  if (!STEP.supports(host.config)) return null;
  const device = fusedDevice(options, gpu);
  if (!device) return null;
  return new FusedAdaMerging(
    device,
    STEP.fused({
      config: host.config,
      tasks: host.tasks,
      perTask,
      tensorNames: host.tensorNames,
      shapes: host.shapes,
      base: arrays(host.base),
      vectors: host.vectors.map(arrays),
      projection: host.projection.data,
      logitScale: host.logitScale,
      heads: host.heads,
      columns,
      clamp: options.clamp,
      init: options.init,
      lr: options.lr,
      epsilon: tf.backend().epsilon(),
    }),
  );
}
