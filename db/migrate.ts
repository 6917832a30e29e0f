import pg from 'pg';
import { createDb } from './index';
import { migrationSource } from './migrations/index';

/** Our schema and pg-boss's (frozen in the init migration); the app adds its queues (server/jobs/queues-setup.ts). */
export async function migrateSchema(url: string) {
  const db = createDb(url, { max: 2 });
  try {
    await db.migrate.latest({ migrationSource });
  } finally {
    await db.destroy();
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
