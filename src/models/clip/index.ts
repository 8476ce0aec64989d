/** Hugging Face CLIP checkpoints (transformers layout): config, tensors, recognition, forward. */
export * from './config';
export * from './errors';
export * from './tensors';
export * from './recognise';
export { clipGetter, type ClipParams } from './ops';
export * from './vision';
export * from './text';
export * from './logits';
export { clipArchitecture, CLIP_UNMERGED } from './architecture';
