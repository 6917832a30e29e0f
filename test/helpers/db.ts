import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { onCleanup } from '../setup/cleanup';
import { createDb, WEB_ROLE, type Db } from '../../db/index';

export type TestDatabase = { url: string; name: string; owner: Db; web: Db };

/** A fresh clone of the migrated template for the calling test file, dropped after it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('serverUrl');
  const name = `seatwise_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${inject('templateDatabase')}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = {
    url: url.toString(),
    name,
    owner: createDb(url.toString(), { max: 5 }),
    web: createDb(url.toString(), { role: WEB_ROLE, max: 20 }),
  };
  onCleanup(async () => {
    await Promise.all([database.owner.destroy(), database.web.destroy()]);
    const cleanup = new pg.Client({ connectionString: serverUrl });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${name} with (force)`);
    await cleanup.end();
  });
  return database;
}

/** Row counts of the tables a failed request must leave untouched. */
export async function countRows(db: Db, tables: string[]) {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [{ n }] = await db(table).count({ n: '*' });
    counts[table] = Number(n);
  }
  return counts;
}
