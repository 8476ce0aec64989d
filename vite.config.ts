import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/** `npm start` tells the user where the studio is, with the demo zoo preloaded (`?demo`). */
function demoUrlHint(): Plugin {
  return {
    name: 'merge-studio-demo-url',
    configureServer(server) {
      server.httpServer?.once('listening', () => {
        const url = server.resolvedUrls?.local[0];
        if (url)
          setTimeout(
            () =>
              console.log(
                `\n  Merge Studio with the CLIP demo: ${url}?demo=clip  (the v1 toy zoo: ${url}?demo=v1)\n`,
              ),
            0,
          );
      });
    },
  };
}

// COOP/COEP make the page crossOriginIsolated, which the threaded wasm backend needs.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react(), demoUrlHint()],
  // Parallel dev servers (e.g. e2e runs in several worktrees sharing node_modules) need their
  // own dependency cache, or one server's re-optimisation breaks the other's page.
  cacheDir: process.env.VITE_CACHE_DIR ?? 'node_modules/.vite',
  server: { port: 5173, strictPort: false, headers: isolationHeaders },
  preview: { port: 4173, headers: isolationHeaders },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  optimizeDeps: {
    include: [
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-webgpu',
      '@tensorflow/tfjs-backend-wasm',
      'react',
      'react-dom',
      'zustand',
      'recharts',
      'yaml',
    ],
  },
});
