/** Node-only I/O (fs). Never imported by browser code. */
export { nodeFileSource, type NodeFileSource } from './file-source';
export { nodeFileSink, nodeSinkFolder } from './file-sink';
export { nodeCheckpointFolder, openCheckpointPath } from './checkpoint-folder';
export { nodeDataFolder } from './data-folder';
