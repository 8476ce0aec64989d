/** CLIP text side: tokenizer.json loading, a tiny-tokenizer trainer, zero-shot prompts. */
export {
  loadClipTokenizer,
  TokenizerLoadError,
  type ClipTokenizer,
  type EncodedBatch,
  type EncodeOptions,
} from './tokenizer';
export {
  buildClipTokenizerJson,
  learnClipMerges,
  bytesToUnicode,
  clipNormalize,
  BpeTrainingError,
  CLIP_SPLIT_PATTERN,
  START_OF_TEXT,
  END_OF_TEXT,
  END_OF_WORD,
  type ClipBpeOptions,
} from './train-bpe';
export {
  templatesFor,
  classNamesFor,
  fusionBenchTask,
  formatPrompt,
  zeroShotPrompts,
  GENERIC_TEMPLATES,
} from './templates';
export { FUSIONBENCH_TASKS, type FusionBenchTask } from './fusionbench-tasks';
