import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '~': new URL('./app', import.meta.url).pathname } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global.ts'],
    setupFiles: ['test/setup/cleanup.ts'],
    pool: 'forks',
    // Each worker process keeps its loaded modules from one file to the next: importing the app
    // (Remix build, knex, pg-boss, stripe) cost about 2 s per file, 100 s over the suite. Test
    // files share no module state: each has its own database, app and cleanup (test/setup).
    isolate: false,
    // CI has two cores; each test file gets its own database, so files run in parallel safely.
    maxWorkers: 2,
    testTimeout: 30_000,
    // Polls wait for pages and jobs on a busy 2-core machine: a second is too short there.
    expect: { poll: { timeout: 10_000 } },
    // Browser tests get their own, longer timeouts in test/e2e: two cores are shared with every other file.
    hookTimeout: 60_000,
  },
});
