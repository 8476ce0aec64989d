export { analyzeTaskVectors, type AnalysisOptions } from './task-vectors';
export { PairStats } from './pair-stats';
export { AnalysisError } from './errors';
export type { TaskVectorAnalysis, LayerNorms } from './types';
