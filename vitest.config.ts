import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // Tests import guv's public subpaths the way users do; they resolve to the sources here.
  resolve: {
    alias: [
      { find: /^guv\/machines$/, replacement: source('./src/machines/index.ts') },
      { find: /^guv\/testing$/, replacement: source('./src/testing/index.ts') },
      { find: /^guv$/, replacement: source('./src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The attack suite runs on its own (npm run test:attacks), after the rest.
    exclude: ['test/attacks/**', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
