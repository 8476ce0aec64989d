/** The SIMO demo's procedural dense scenes: segmentation, depth and normals ground truth. */
export * from './scene';
export * from './dataset';
