/** Adaptation of merging coefficients at test time: AdaMerging (task-/layer-wise, ++). */
export * from './adamerging/index';
export * from './clip/index';
export * from './simo/index';
