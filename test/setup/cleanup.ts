import { afterAll } from 'vitest';

/**
 * Helpers start servers and databases inside beforeAll, where vitest does not collect a nested
 * afterAll. They register their teardown here instead; it runs after each file, newest first.
 * One list per worker process (on globalThis), not per module instance: with `isolate: false`
 * vitest evaluates this file again for every test file, and no helper may keep an old list.
 */
const registry = globalThis as typeof globalThis & { seatwiseCleanups?: (() => unknown)[] };
const cleanups = (registry.seatwiseCleanups ??= []);

export function onCleanup(fn: () => unknown) {
  cleanups.push(fn);
}

// Every teardown runs even when one fails: a web process or pg-boss poller left behind would
// load the files after it.
afterAll(async () => {
  const failures: unknown[] = [];
  while (cleanups.length) await Promise.resolve(cleanups.pop()!()).catch((error: unknown) => failures.push(error));
  if (failures.length) throw failures[0];
});
