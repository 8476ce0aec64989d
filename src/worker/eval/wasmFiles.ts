/**
 * tfjs's wasm binaries as URLs the bundler serves (dev server and production build alike), so
 * the worker's wasm backend never looks for them next to a CDN path.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export function useBundledWasm(): void {
  // The threaded build starts its pthreads from a Blob holding the *source text* of its
  // factory function; once minified (vite build) that text refers to names of the enclosing
  // chunk and the threads die with "ReferenceError: e is not defined" (tensorflow/tfjs#4107),
  // which killed the studio worker in production. Production builds use the single-threaded
  // SIMD binary; the dev server (unminified) keeps the threaded one.
  if (import.meta.env?.PROD) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths({
    'tfjs-backend-wasm.wasm': plain,
    'tfjs-backend-wasm-simd.wasm': simd,
    'tfjs-backend-wasm-threaded-simd.wasm': threaded,
  });
}
