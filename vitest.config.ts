import { configDefaults, defineConfig } from 'vitest/config';
import { prepareTestTls } from './test/support/tls.js';

// Node reads NODE_EXTRA_CA_CERTS only at process start, and vitest copies process.env for its
// worker pool before any globalSetup runs: the test CA is made (or reused) here, while the
// config loads, so every worker and every child process it spawns trusts the test services.
process.env.NODE_EXTRA_CA_CERTS = prepareTestTls().caFile;

export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/integration/**', 'test/.tmp/**'],
        },
      },
      {
        extends: true,
        test: {
          // Real services, started once per run by the global setup, shared by all files.
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
