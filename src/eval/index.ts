/**
 * Evaluation: accuracy of an encoder with each task's own head, the zoo's results table and
 * merges (recipes run by src/merge), the live scorer, and the interference diagnostic.
 */
export * from './accuracy';
export * from './zoo-table';
export * from './zoo-merges';
export * from './scorer';
export * from './zoo-scorer';
export * from './interference';
export { readEncoder } from './load-merged';
export {
  evaluateWithModulators,
  modulatedEncoder,
  checkModulatorsCover,
  modulatorTask,
  readModulators,
  type ModulatorsFile,
} from './emr-modulators';
export { toPatches, encodePatches } from './fast-encode';
export * from './clip/index';
export * from './dense/index';
