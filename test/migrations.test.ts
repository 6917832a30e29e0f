import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rollbackLast } from '../db/migrate';
import { migrateLatest } from '../server/jobs/queues-setup';
import { migrationSource } from '../db/migrations/index';
import { createTestDatabase } from './helpers/db';

describe('migrations', () => {
  it('roll back to an empty schema and forward again', async () => {
    const database = await createTestDatabase();
    const tables = async () =>
      (
        await database.owner.raw(
          `select table_schema || '.' || table_name as name from information_schema.tables where table_schema in ('public', 'pgboss') and table_name not like 'knex_%' order by 1`,
        )
      ).rows.map((r: { name: string }) => r.name);
    const migrated = await tables();
    expect(migrated).toEqual(expect.arrayContaining(['public.tenants', 'public.users', 'public.audit_events', 'pgboss.job']));

    await rollbackLast(database.url);
    expect(await tables()).toEqual([]);

    await migrateLatest(database.url);
    expect(await tables()).toEqual(migrated);
    const queues = await database.owner('pgboss.queue').pluck('name');
    expect(queues.sort()).toEqual(['email.send', 'email.send.dead', 'stripe.event', 'stripe.event.dead', 'users.deactivate-inactive', 'users.deactivate-inactive.dead', 'users.import', 'users.import.dead']);
  });

  it('each migration carries its own frozen SQL (the web role by its name too): it imports only knex types', () => {
    const allowed = [`import type { Knex } from 'knex';`];
    const files = readdirSync('db/migrations').filter((f) => /^\d{14}_.*\.ts$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const imports = readFileSync(`db/migrations/${file}`, 'utf8').match(/^import .*$/gm) ?? [];
      for (const line of imports) expect(allowed, `${file}: ${line}`).toContain(line);
    }
  });

  it('keeps the names databases have recorded, whatever the files are called', async () => {
    const names = await migrationSource.getMigrations([]);
    // 20261123070000_request_functions.ts was 20261123070000_plan_once.ts: applied databases know that name.
    expect(names).toContain('20261123070000_plan_once');
    expect(names).toEqual([...names].sort());
  });

  it('the request functions are plain SQL functions, owner-run, with a fixed search path', async () => {
    const database = await createTestDatabase();
    const { rows } = await database.owner.raw(
      `select p.proname, l.lanname, p.prosecdef, p.provolatile, p.prorows, p.proconfig
       from pg_proc p join pg_language l on l.oid = p.prolang
       where p.proname in ('session_actor', 'user_search_rows') order by p.proname`,
    );
    expect(rows).toEqual([
      { proname: 'session_actor', lanname: 'sql', prosecdef: true, provolatile: 's', prorows: 1, proconfig: ['search_path=public, pg_temp'] },
      { proname: 'user_search_rows', lanname: 'sql', prosecdef: true, provolatile: 's', prorows: 100, proconfig: ['search_path=public, pg_temp'] },
    ]);
  });
});
