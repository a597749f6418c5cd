import react from '@vitejs/plugin-react';
import { loadEnv } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig(({ mode }) => {
  // `npm run dev` serves the app itself; the API it calls on its own origin is proxied to
  // a running mock-server (LIVEDATA_API_URL, default the demo's http://127.0.0.1:8080).
  const apiUrl = loadEnv(mode, '.', 'LIVEDATA_').LIVEDATA_API_URL || 'http://127.0.0.1:8080';

  return {
    plugins: [react()],
    // Relative asset URLs keep the build working under any path the server mounts it at.
    base: './',
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      // Never inline the WebAssembly binary as base64: as its own file it compiles while
      // streaming and the server caches it for a year under its content hash.
      assetsInlineLimit: (file: string) => (file.endsWith('.wasm') ? false : undefined),
    },
    optimizeDeps: {
      // Pre-bundling would move livedata-core.js away from livedata-core.wasm and break the
      // `new URL('livedata-core.wasm', import.meta.url)` it locates its binary with.
      exclude: ['@livedata/wasm'],
    },
    server: {
      // `file:../wasm` is a symlink; the dev server must be allowed to serve its real path.
      fs: { allow: ['.', '../wasm'] },
      proxy: {
        '/api': apiUrl,
        '/monitoring': apiUrl,
      },
    },
    test: {
      environment: 'jsdom',
      include: ['src/**/*.test.{ts,tsx}'],
      setupFiles: ['src/test/setup.ts'],
      restoreMocks: true,
      unstubGlobals: true,
    },
  };
});
