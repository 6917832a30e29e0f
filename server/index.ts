import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerBuild } from '@remix-run/node';
import { createDb, WEB_ROLE } from '../db/index';
import { createApp } from './app';
import { loadEnv } from './env';
import { createJobSender } from './jobs/index';
import { createLogger } from './logger';
import { createStripeClient } from './stripe/client';

const env = loadEnv();
const log = createLogger(env.LOG_LEVEL, 'web');
const onPoolError = (error: Error) => log.warn({ err: error }, 'database connection lost');
const warn = (message: string) => log.warn({ knex: message }, 'database warning');

const db = env.DATABASE_WEB_URL
  ? createDb(env.DATABASE_WEB_URL, { onError: onPoolError, warn })
  : createDb(env.DATABASE_URL, { role: WEB_ROLE, onError: onPoolError, warn });
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

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'web stopping');
  server.close();
  server.closeIdleConnections();
  await Promise.allSettled([db.destroy(), ownerDb.destroy()]);
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
