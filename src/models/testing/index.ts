/** Test helpers of src/models (fixtures, tiny configs). */
export * from './dense-config';
export * from './dense-pool';
