export * from './vit-config';
export * from './vit';
export * from './init';
export * from './tensors';
export * from './vit-ops';
export * from './task-vector-merge';
