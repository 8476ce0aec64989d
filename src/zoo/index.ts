/** The demo zoo: its manifest, the loader (browser and Node) and the trainer its builder uses. */
export { ZooFormatError } from './errors';
export { loadZoo, parseTestSet, type LoadedZoo, type LoadZooOptions } from './load';
export * from './manifest';
export { PROVENANCE } from './provenance';
export { train, learningRate, type TrainOptions } from './train';
