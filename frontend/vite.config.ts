import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';

// The bundle ships inside the Python package: the web app serves index.html at `/`
// and the hashed files under `/assets/`. Asset URLs are relative ('./'): the server adds
// `<base href>` to index.html, so the UI also works under a proxy's prefix (--base-url).
const outDir = fileURLToPath(new URL('../src/streamvis/web/static', import.meta.url));
// `npm run dev` needs no Python build: API calls go to a running `streamvis serve`.
const backend = process.env.STREAMVIS_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [svelte()],
  base: './',
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: {
      '/api': {
        target: backend,
        changeOrigin: true,
        ws: true,
        // A loopback server refuses changes and the live feed from any page but its own
        // origin (scheme, host and port). This dev server's pages become the backend's
        // own; a page of any other origin stays foreign.
        configure: (proxy) => {
          const backendOrigin = new URL(backend).origin;
          const fromOwnPage = (incoming: IncomingMessage) => {
            const origin = incoming.headers.origin;
            return origin !== undefined && URL.canParse(origin) &&
              new URL(origin).host === incoming.headers.host;
          };
          proxy.on('proxyReq', (req, incoming) => {
            if (fromOwnPage(incoming)) req.setHeader('origin', backendOrigin);
          });
          proxy.on('proxyReqWs', (req, incoming) => {
            if (fromOwnPage(incoming)) req.setHeader('origin', backendOrigin);
          });
        },
      },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    // The app reads the plot grammar from GET /api/info; tests get the same from its copy.
    setupFiles: ['src/lib/api/grammar.testSetup.ts'],
  },
});
