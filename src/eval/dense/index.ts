/** SIMO evaluation: dense metrics, ΔMTL, the task-relationship matrix, merging a dense pool. */
export * from './metrics';
export * from './evaluate';
export * from './merge';
export * from './pictures';
export * from './format';
