/** The SIMO dense model: ViT encoder + per-task decoders, forward, losses, init, pool checks. */
export * from './config';
export * from './forward';
export * from './init';
export * from './batch';
export * from './pool';
export { denseVitArchitecture } from './architecture';
export * from './manifest';
