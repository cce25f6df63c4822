import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import workspace packages by name; resolve them to their TypeScript
// sources so a test run never depends on a stale dist/ build.
const root = fileURLToPath(new URL('.', import.meta.url));
// Subpath exports first: an alias also matches `<name>/...`, and the first match wins.
const alias: Record<string, string> = {
  '@presence/bus/nats': `${root}libs/bus/src/nats/index.ts`,
  '@presence/core/sip-uri': `${root}libs/core/src/aor/parse-sip-uri.ts`,
  '@presence/testkit/behaviour': `${root}libs/testkit/src/behaviour/index.ts`,
  '@presence/testkit/torture': `${root}libs/testkit/src/torture/index.ts`,
  '@presence/testkit/fuzz': `${root}libs/testkit/src/fuzz/index.ts`,
  '@presence/store/test-support': `${root}libs/store/src/test-support/index.ts`,
};
for (const group of ['libs', 'services']) {
  for (const dir of readdirSync(`${root}${group}`)) {
    if (existsSync(`${root}${group}/${dir}/src/index.ts`)) {
      const name = dir === 'presence-agent' ? 'presence-agent' : dir;
      alias[`@presence/${name}`] = `${root}${group}/${dir}/src/index.ts`;
    }
  }
}

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['libs/**/src/**/*.test.ts', 'services/**/src/**/*.test.ts', 'loadtest/src/**/*.test.ts', 'loadtest/test/**/*.test.ts', 'helm/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', '**/*.e2e.test.ts', '**/*.load.test.ts'],
        },
      },
      {
        // Tests that load the machine on purpose (a subscribe burst) and judge how the server kept up:
        // they run after the other tiers, one file at a time, so no other test takes the cores from them.
        resolve: { alias },
        test: {
          name: 'load',
          include: ['services/**/test/**/*.load.test.ts', 'loadtest/test/**/*.load.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['services/**/test/**/*.e2e.test.ts', 'libs/**/src/**/*.e2e.test.ts', 'helm/test/**/*.e2e.test.ts', 'loadtest/test/**/*.e2e.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
