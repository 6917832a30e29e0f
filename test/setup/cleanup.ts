import { afterAll } from 'vitest';

/**
 * Helpers start servers and databases inside beforeAll, where vitest does not collect a nested
 * afterAll. They register their teardown here instead; it runs after each file, newest first.
 */
const cleanups: (() => unknown)[] = [];

export function onCleanup(fn: () => unknown) {
  cleanups.push(fn);
}

afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
