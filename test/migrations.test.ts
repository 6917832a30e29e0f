import { describe, expect, it } from 'vitest';
import { migrateLatest, rollbackLast } from '../db/migrate';
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
    expect(queues.sort()).toEqual(['email.send', 'email.send.dead', 'stripe.event', 'stripe.event.dead', 'users.deactivate-inactive', 'users.deactivate-inactive.dead']);
  });
});
