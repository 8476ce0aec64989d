/** Low-level utilities every layer may use: progress reporting and the in-memory tensor type. */
export * from './progress';
export * from './params';
