import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerBuild } from '@remix-run/node';
import { createDb, WEB_ROLE } from '../db/index';
import { createApp } from './http/app';
import { loadEnv } from './shared/env';
import { createJobSender } from './jobs/index';
import { createLogger } from './shared/logger';
import { createStripeClient } from './stripe/client';

const env = loadEnv();
const log = createLogger(env.LOG_LEVEL, 'web');
const onPoolError = (error: Error) => log.warn({ err: error }, 'database connection lost');
const warn = (message: string) => log.warn({ knex: message }, 'database warning');
const onLateCommitError = (error: Error) => log.warn({ err: error }, 'a read-only transaction failed to commit after its answer was sent');

const db = env.DATABASE_WEB_URL
  ? createDb(env.DATABASE_WEB_URL, { max: env.WEB_POOL_SIZE, onError: onPoolError, warn, onLateCommitError })
  : createDb(env.DATABASE_URL, { role: WEB_ROLE, max: env.WEB_POOL_SIZE, onError: onPoolError, warn, onLateCommitError });
const ownerDb = createDb(env.DATABASE_URL, { max: 10, onError: onPoolError, warn });

const remixBuild = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as ServerBuild;
const app = createApp({ env, db, ownerDb, jobs: createJobSender(), stripe: createStripeClient(env), log, now: () => new Date() }, { remixBuild });

const server = app.listen(env.PORT, () => {
  log.info({ port: env.PORT }, 'web listening');
  process.send?.({ ready: true });
});
server.on('error', (error: NodeJS.ErrnoException) => {
  log.fatal(
    error.code === 'EADDRINUSE' ? `Port ${env.PORT} is already in use. Stop what uses it or set PORT.` : { err: error },
    'web cannot start',
  );
  process.exit(1);
});

/** How long in-flight requests may take to finish after SIGTERM (Fly waits 30 s before SIGKILL). */
const DRAIN_DEADLINE_MS = 25_000;

let stopping = false;
/**
 * Issue #13: stop accepting, answer every request already in flight, then close the pools. A
 * request that arrives on a kept-alive connection meanwhile is still answered, and told to close.
 */
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'web stopping');
  const drained = new Promise<void>((resolve) => server.close(() => resolve()));
  server.on('request', (_req, res) => res.setHeader('Connection', 'close'));
  server.closeIdleConnections();
  const deadline = setTimeout(() => {
    log.warn({ deadlineMs: DRAIN_DEADLINE_MS }, 'requests still in flight at the deadline; closing them');
    server.closeAllConnections();
  }, DRAIN_DEADLINE_MS);
  await drained;
  clearTimeout(deadline);
  await Promise.allSettled([db.destroy(), ownerDb.destroy()]);
  log.info('web stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
