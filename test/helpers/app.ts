import type { AddressInfo } from 'node:net';
import type { ServerBuild } from '@remix-run/node';
import pino from 'pino';
import { onCleanup } from '../setup/cleanup';
import { createApp } from '../../server/http/app';
import { parseEnv, type Env } from '../../server/shared/env';
import { createJobSender } from '../../server/jobs/index';
import { createStripeClient } from '../../server/stripe/client';
import { createContext, type CookieJar, type Deps } from '../../server/trpc/context';
import { createCaller } from '../../server/trpc/router';
import { createTestDatabase, type TestDatabase } from './db';

export const silentLog = pino({ level: 'silent' });

/** A clock tests can move: every `now` in the app reads it. */
export function createClock(start = new Date()) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (ms: number) => {
      current += ms;
    },
    set: (date: Date) => {
      current = date.getTime();
    },
  };
}

export function memoryCookies(): CookieJar & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    get: (name) => values.get(name),
    set: (name, value) => void values.set(name, value),
    clear: (name) => void values.delete(name),
  };
}

export type TestApp = {
  database: TestDatabase;
  env: Env;
  deps: Deps;
  clock: ReturnType<typeof createClock>;
  /** A tRPC caller with the real context; pass the same jar to stay signed in. */
  caller: (cookies?: CookieJar, meta?: { ip?: string; userAgent?: string }) => Promise<ReturnType<typeof createCaller>>;
};

export async function createTestApp(envOverrides: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  // Every test signs up from the same address; the sign-up limit has its own test.
  const env = parseEnv({ NODE_ENV: 'test', DATABASE_URL: database.url, LOG_LEVEL: 'silent', SIGNUP_RATE_LIMIT: '100000', ...envOverrides });
  const clock = createClock();
  const deps: Deps = { env, db: database.web, ownerDb: database.owner, jobs: createJobSender(), stripe: createStripeClient(env), log: silentLog, now: clock.now };
  return {
    database,
    env,
    deps,
    clock,
    caller: async (cookies = memoryCookies(), meta = {}) =>
      createCaller(
        await createContext(deps, {
          meta: { ip: meta.ip ?? '203.0.113.9', userAgent: meta.userAgent ?? 'vitest' },
          cookies,
        }),
      ),
  };
}

/** The real express app on a random loopback port, closed after the file. */
export async function startHttp(deps: Deps, { remixBuild, port = 0 }: { remixBuild?: ServerBuild; port?: number } = {}) {
  const app = createApp(deps, { remixBuild });
  const server = app.listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  onCleanup(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url, server };
}
