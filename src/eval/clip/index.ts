/** CLIP zero-shot evaluation on the user's own checkpoints and data (issue "Your own models"). */
export { ClipEvalError } from './errors';
export {
  readClipModel,
  checkClipParts,
  checkFinetune,
  readVisionTower,
  VISUAL_PROJECTION,
  TEXT_PROJECTION,
  LOGIT_SCALE,
  type ClipModel,
  type NamedArrays,
  type ReadClipOptions,
} from './model';
export {
  buildZeroShotHeads,
  type ClipTokenizer,
  type HeadRequest,
  type ZeroShotHead,
} from './zero-shot';
export { writeHeads, headsToBytes, readHeads, headForTask } from './heads-file';
export { unitImageEmbeds, zeroShotLogits, type TensorParams } from './classify';
export { checkTaskImages, firstImages, type TaskImages } from './task-images';
export { PixelCache } from './pixel-cache';
export { ClipScorer, type ClipScorerSetup } from './scorer';
export { evaluateClip, type ScoredTask, type TaskAccuracy, type ClipEvalOptions } from './evaluate';
export { imageFolderTask, parquetTask } from './sources';
export { preprocessedPool, type PreprocessedPool } from './pool-images';
export {
  openClipFolder,
  sideFile,
  CLIP_SIDE_FILES,
  type ClipFolder,
  type ClipSideFile,
} from './folder';
