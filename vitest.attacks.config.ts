import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** `npm run test:attacks`: the security suite alone (test/attacks), run as root by CI. */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/attacks/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
  },
});
