/**
 * Bring-your-own image test sets for CLIP (browser-safe; import as `data/images/index`, since
 * `data/images.ts` is the procedural MNIST-style module).
 */
export {
  decodeImage,
  imageKind,
  ImageDecodeError,
  MAX_IMAGE_PIXELS,
  type RgbImage,
} from './decode';
export {
  parsePreprocessorConfig,
  preprocessForClip,
  resizeOutputSize,
  clipOutputShape,
  centerCrop,
  PreprocessorConfigError,
  CLIP_PREPROCESS_DEFAULTS,
  OPENAI_CLIP_MEAN,
  OPENAI_CLIP_STD,
  openaiPreprocessorConfigJson,
  type ClipPreprocessConfig,
  type ResizeTarget,
} from './clip-preprocess';
export { pilResize } from './pil-resample';
export {
  preprocessBatches,
  fixedOutputShape,
  ImageBatchError,
  type EncodedImage,
  type ImageBatch,
  type ImageErrorReport,
  type BatchOptions,
} from './batches';
export {
  readImageFolder,
  imageFolderImages,
  imageFolderBatches,
  compareCodePoints,
  ImageFolderError,
  IMAGE_EXTENSIONS,
  type ImageFolderDataset,
  type ImageFolderItem,
  type ImageFolderOptions,
} from './image-folder';
export {
  openParquetImageDataset,
  parquetImages,
  parquetImageBatches,
  asyncBufferFromSource,
  ParquetDatasetError,
  SUPPORTED_CODECS,
  type ParquetImageDataset,
  type ParquetDatasetOptions,
} from './parquet-dataset';
