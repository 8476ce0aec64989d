/**
 * The CLIP path's input errors (a bad config.json, a checkpoint that does not fit it, a broken
 * data set, heads that do not fit the data) are the user's to fix: one line, exit 2.
 */
import { ClipEvalError } from '../../eval/clip';
import { ClipCheckpointError, ClipConfigError, ClipInputError } from '../../models/clip';
import { UnsupportedArchitectureError } from '../../models/architectures';
import { PreprocessorConfigError } from '../../data/images/clip-preprocess';
import { ImageFolderError } from '../../data/images/image-folder';
import { ParquetDatasetError } from '../../data/images/parquet-dataset';
import { ImageBatchError } from '../../data/images/batches';
import { AdaMergingInputError } from '../../adapt/adamerging/task-vectors';
import { DataFolderError } from '../../io';
import { TokenizerLoadError } from '../../data/text/index';
import { ImageDecodeError } from '../../data/images/index';
import { CliUsageError } from '../types';

const USER_ERRORS = [
  ClipEvalError,
  UnsupportedArchitectureError,
  ClipCheckpointError,
  ClipConfigError,
  ClipInputError,
  PreprocessorConfigError,
  ImageFolderError,
  ParquetDatasetError,
  ImageBatchError,
  AdaMergingInputError,
  DataFolderError,
  TokenizerLoadError,
  ImageDecodeError,
  RangeError,
];

export async function clipRoute(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (USER_ERRORS.some((kind) => e instanceof kind))
      throw new CliUsageError((e as Error).message);
    throw e;
  }
}
