/** Node-only I/O (fs). Never imported by browser code. */
export { nodeFileSource, type NodeFileSource } from './file-source';
export {
  nodeFileSink,
  nodeSinkFolder,
  stagedFileSink,
  uniqueTempPath,
  type StagedFileSink,
} from './file-sink';
export { stagedSinkFolder, type StagedSinkFolder, type StagedFolderOptions } from './staged-folder';
export { checkOutputPath, realPathToBe, type OutputPathCheck } from './output-path';
export { ownTemp, releaseTemp, removeOwnedTempsSync, ownedTemps } from './owned-temps';
export { nodeCheckpointFolder, openCheckpointPath } from './checkpoint-folder';
export { nodeDataFolder } from './data-folder';
