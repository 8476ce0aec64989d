/**
 * Builds the fused WebGPU engine for a session when it can run: the active tfjs backend is
 * webgpu (its GPUDevice is shared), the options do not ask for tfjs autodiff, and the ViT's
 * widths fit the vec4 kernels.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { headBiasName, headWeightName } from '../../../models/vit-config';
import type { HostProblem } from '../problem';
import type { ResolvedOptions } from '../types';
import { FusedAdaMerging, fusedSupports } from './engine';

export function fusedEngineFor(
  host: HostProblem,
  options: ResolvedOptions,
  perTask: number,
  columns: number,
): FusedAdaMerging | null {
  if (options.engine === 'tfjs' || tf.getBackend() !== 'webgpu') return null;
  if (!fusedSupports(host.config)) return null;
  const device = (tf.backend() as WebGPUBackend).device;
  const data = (p: Map<string, { data: Float32Array }>): Map<string, Float32Array> =>
    new Map([...p].map(([n, t]) => [n, t.data]));
  return new FusedAdaMerging(device, {
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
  });
}
