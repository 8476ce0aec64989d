/**
 * The AdaMerging step of every architecture in the models registry (src/models/
 * architectures.ts), keyed by its id: when the fused WGSL step applies to a config and the
 * recorder that builds it. The engine (engine.ts) and the sessions pick it from here rather than
 * importing an architecture's recorder; an architecture without an entry learns through tfjs
 * autodiff only. (The step lives in adapt, not in the models entry: models sits below adapt in
 * src/layers.json.)
 */
import type { ClipConfig, VitConfig } from '../../../models';
import { clipFusedStep, clipFusedSupports, type ClipFusedInput } from './clip-record';
import { fusedSupports, vitFusedStep, type FusedInput } from './record';
import type { FusedStep } from './step-frame';

export interface ArchitectureStep<Config, Input> {
  /** True when the fused kernels fit the config (vec4 widths, a known activation). */
  supports(config: Config): boolean;
  fused(input: Input): FusedStep;
}

/** By models-registry id (steps.spec.ts checks the keys are ARCHITECTURES ids). */
export const FUSED_STEPS: {
  'merge-studio-vit': ArchitectureStep<VitConfig, FusedInput>;
  clip: ArchitectureStep<ClipConfig, ClipFusedInput>;
} = {
  'merge-studio-vit': { supports: fusedSupports, fused: vitFusedStep },
  clip: { supports: clipFusedSupports, fused: clipFusedStep },
};
