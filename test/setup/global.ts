import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../db/embedded';
import { migrateLatest } from '../../server/jobs/queues-setup';

declare module 'vitest' {
  export interface ProvidedContext {
    serverUrl: string;
    templateDatabase: string;
  }
}

/**
 * One PostgreSQL per run (DATABASE_URL's server, or an embedded one in a temporary folder), one
 * migrated template database, and a clone of it for every test file (STYLE §9).
 */
export default async function setup(project: TestProject) {
  let dir: string | undefined;
  let server: { url: string; stop: () => Promise<void> };
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '/postgres';
    server = { url: url.toString(), stop: async () => {} };
  } else {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seatwise-test-'));
    await chmod(dir, 0o755);
    server = await startEmbeddedPostgres({ dir, durable: false });
  }

  const templateDatabase = `seatwise_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`drop database if exists ${templateDatabase}`);
  await admin.query(`create database ${templateDatabase}`);
  const templateUrl = new URL(server.url);
  templateUrl.pathname = `/${templateDatabase}`;
  await migrateLatest(templateUrl.toString());

  project.provide('serverUrl', server.url);
  project.provide('templateDatabase', templateDatabase);

  return async () => {
    if (process.env.DATABASE_URL) {
      const { rows } = await admin.query(`select datname from pg_database where datname like 'seatwise_t_%' or datname = $1`, [templateDatabase]);
      for (const { datname } of rows) await admin.query(`drop database if exists "${datname}" with (force)`);
    }
    await admin.end();
    await server.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  };
}
