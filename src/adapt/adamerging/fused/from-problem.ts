/**
 * Builds the fused WebGPU engine for a session when it can run: there is a GPUDevice — the one
 * given, else the active tfjs webgpu backend's — the options do not ask for tfjs autodiff, and
 * the ViT's widths fit the vec4 kernels. The engine needs nothing from tfjs but that device, so
 * with a device given it runs while tfjs (evaluation, export) is on wasm or cpu.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { headBiasName, headWeightName } from '../../../models';
import type { HostProblem } from '../problem';
import type { ResolvedOptions } from '../types';
import { FusedAdaMerging } from './engine';
import { FUSED_STEPS } from './steps';

/**
 * The device a fused engine runs on: the one given, else the active tfjs webgpu backend's;
 * null when the options ask for tfjs autodiff or there is no device.
 */
export function fusedDevice(options: ResolvedOptions, gpu: GPUDevice | null): GPUDevice | null {
  if (options.engine === 'tfjs') return null;
  return gpu ?? (tf.getBackend() === 'webgpu' ? (tf.backend() as WebGPUBackend).device : null);
}

export function fusedEngineFor(
  host: HostProblem,
  options: ResolvedOptions,
  perTask: number,
  columns: number,
  gpu: GPUDevice | null = null,
): FusedAdaMerging | null {
  const step = FUSED_STEPS['merge-studio-vit'];
  if (!step.supports(host.config)) return null;
  const device = fusedDevice(options, gpu);
  if (!device) return null;
  const data = (p: Map<string, { data: Float32Array }>): Map<string, Float32Array> =>
    new Map([...p].map(([n, t]) => [n, t.data]));
  return new FusedAdaMerging(
    device,
    step.fused({
      config: host.config,
      tasks: host.tasks,
      perTask,
      tensorNames: host.tensorNames,
      shapes: host.shapes,
      base: data(host.base),
      vectors: host.vectors.map(data),
      heads: host.tasks.map((task, k) => ({
        weight: host.heads.get(headWeightName(task))!.data,
        bias: host.heads.get(headBiasName(task))!.data,
        classes: host.classes[k]!,
      })),
      columns,
      clamp: options.clamp,
      init: options.init,
      lr: options.lr,
      epsilon: tf.backend().epsilon(),
    }),
  );
}
