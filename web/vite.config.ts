/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// One origin with the API: `npm run dev` forwards /v1 and /webhooks to the local gateway.
export default defineConfig({
  plugins: [react()],
  build: {
    target: 'es2022',
    sourcemap: false,
    // The CSP has no 'unsafe-inline' for scripts: nothing may be inlined into index.html.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/v1': 'http://127.0.0.1:3000',
      '/webhooks': 'http://127.0.0.1:3000',
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}', 'eslint/**/*.test.js'],
    setupFiles: ['src/test-setup.ts'],
  },
});
