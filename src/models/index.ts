export * from './vit-config';
export * from './vit';
export * from './init';
export * from './tensors';
export * from './clip';
export * from './architecture';
export * from './architectures';
export { zooVitArchitecture } from './vit-architecture';
