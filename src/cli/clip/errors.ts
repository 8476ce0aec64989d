/**
 * The CLIP path's input errors (a bad config.json, a checkpoint that does not fit it, a broken
 * data set, heads that do not fit the data) are the user's to fix: one line, exit 2.
 */
import { ClipEvalError } from '../../eval';
import { ClipCheckpointError, ClipConfigError, ClipInputError } from '../../models';
import { UnsupportedArchitectureError } from '../../models';
import { PreprocessorConfigError } from '../../data';
import { ImageFolderError } from '../../data';
import { ParquetDatasetError } from '../../data';
import { ImageBatchError } from '../../data';
import { AdaMergingInputError } from '../../adapt';
import { DataFolderError } from '../../io';
import { TokenizerLoadError } from '../../data';
import { ImageDecodeError } from '../../data';
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
