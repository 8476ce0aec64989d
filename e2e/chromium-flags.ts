/** Debian's Chromium by default; CHROMIUM_PATH points at a user's own Chromium instead. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Real WebGPU without a GPU: lavapipe through ANGLE (compatibility adapter) and SwiftShader
// (core, fallback) are both reachable with these flags; src/gpu/adapter.ts picks lavapipe.
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-unsafe-webgpu',
  '--use-angle=vulkan',
  '--use-webgpu-adapter=opengles',
];
