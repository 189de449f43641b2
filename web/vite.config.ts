import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompress } from './scripts/precompress.mjs';

// The API base URL comes from .env.<mode> (VITE_API_URL) at build time:
//   npm run build                      -> production  (https://api.healthtech.com)
//   npm run build -- --mode staging    -> staging     (https://staging-api.healthtech.com)
//   npm run build -- --mode development -> same origin (the BFF serves the app in development)
// `npm run dev` (port 5173) proxies the API to a local ./healthtech up on :8080.
export default defineConfig({
  plugins: [react(), precompress('dist')],
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 1200 },
  server: {
    port: 5173,
    proxy: {
      '/v1': 'http://localhost:8080',
      '/ws': { target: 'ws://localhost:8080', ws: true },
    },
  },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
