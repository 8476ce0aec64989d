/** The merge engine's public API (browser-safe; the CLI adds Node file handling). */
export type * from './backend';
export { outputArray } from './backend';
export {
  createCpuBackend,
  mergeTensorCpu,
  CpuMagnitudeSelector,
  unpackToF32,
  rowLength,
  modelStockT,
} from './cpu/index';
export { slerpFromSums } from './cpu/slerp';
export { mix32, nameHash, streamKey, elementUniform } from './random';
/** The radix selection's bookkeeping, shared by the CPU and WebGPU magnitude selectors. */
export {
  RADIX_BINS,
  newRadixStates,
  findRank,
  closeRadixPass,
  decidedThresholds,
  type RadixState,
} from './radix-threshold';
export { METHODS, getMethod, methodNames, UnknownMethodError } from './registry';
export type {
  MethodDefinition,
  ParamSpec,
  ParamType,
  ParamValue,
  MethodKind,
  FamilySettings,
} from './methods/types';
export * from './recipe/index';
export { layerIndexOf, countLayers, layerFraction, linesScale } from './layers';
export { planMerge, MergePlanError, type PlanOptions } from './plan';
export type {
  MergePlan,
  OutputChanges,
  MergeStep,
  CopyStep,
  PlanStep,
  PassKind,
  MergeCheckpoint,
  JobTemplate,
} from './planning/types';
export {
  EMR_MASK_SUFFIX,
  EMR_MODULATORS_FILE,
  EMR_RESCALERS,
  emrTaskTensor,
  modulatorsBeside,
} from './executor/modulators';
export {
  executeMerge,
  RECIPE_FILE_NAME,
  RECIPE_METADATA_KEY,
  type ExecuteOptions,
  type MergeSummary,
} from './executor/index';
export {
  paramsToBytes,
  paramsFromBytes,
  paramsCheckpoint,
  mergeParams,
  taskVectors,
} from './params';
/** mergekit's exactly-k magnitude trim: jobs cut into ranges with plain bands (both backends). */
export {
  tieCut,
  joinTieCut,
  keepsExactlyK,
  nextF32Above,
  withExactBands,
  type TieCut,
} from './exact-k';
export { consensusDivisorMayBeTiny, guardedDivisor } from './cpu/divisor';
export { outlierSlice } from './cpu/select';
export { tiesSelectedTaskVectors, modelScopeThresholds } from './ties-selection';
export { linearSteps, type LinearStep } from './linear-steps';
// The catalogue's dense numerics, for the WebGPU backend's SVD products (src/gpu/merge).
export {
  columns,
  gaussian,
  matmul,
  matmulTN,
  matmulNT,
  zeros,
  type Mat,
  type Values,
} from './cpu/dense';
export {
  exactSvd,
  GRAM_MIN_RANK,
  reconstruct,
  symmetricEigen,
  topSvd,
  topSvdPlan,
  topSvdWith,
  type MatrixProducts,
  type Svd,
} from './cpu/svd';
export {
  cartSteps,
  isoCSteps,
  isoCtsSteps,
  tsvMSteps,
  type SvdRequest,
  type SvdSteps,
} from './cpu/svd-merges';
export { methodInputs } from './cpu/tensor-methods';
export { tokenizerSourceKey } from './planning/vocab';
