import PgBoss from 'pg-boss';
import pg from 'pg';
import { ensureQueues } from '../server/jobs/index';
import { createDb } from './index';
import { migrationSource } from './migrations/index';

/** Our schema, pg-boss's, and the queues: everything a fresh database needs before the app starts. */
export async function migrateLatest(url: string) {
  const db = createDb(url, { max: 2 });
  try {
    await db.migrate.latest({ migrationSource });
  } finally {
    await db.destroy();
  }
  const boss = new PgBoss({ connectionString: url, max: 2, supervise: false, schedule: false });
  boss.on('error', () => {});
  await boss.start();
  try {
    await ensureQueues(boss);
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

export async function rollbackLast(url: string) {
  const db = createDb(url, { max: 2 });
  try {
    await db.migrate.rollback({ migrationSource });
  } finally {
    await db.destroy();
  }
}

/** CREATE DATABASE has no IF NOT EXISTS. */
export async function ensureDatabase(serverUrl: string, name: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
