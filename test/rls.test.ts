import { beforeAll, describe, expect, it } from 'vitest';
import { WEB_ROLE, withTenant } from '../db/index';
import { createTestApp, type TestApp } from './helpers/app';
import { signUp } from './helpers/factories';

const TENANT_TABLES = ['tenants', 'seat_pools', 'roles', 'users', 'sessions', 'login_events', 'audit_events', 'one_time_tokens', 'api_keys', 'subscriptions', 'seat_ledger', 'seat_holding_changes', 'imports', 'sso_connections', 'scim_tokens', 'scim_groups', 'scim_group_members', 'sso_requests', 'sso_assertions'];

let app: TestApp;
let a: Awaited<ReturnType<typeof signUp>>;
let b: Awaited<ReturnType<typeof signUp>>;

beforeAll(async () => {
  app = await createTestApp();
  a = await signUp(app);
  b = await signUp(app);
  // An import preview in each workspace, so that the imports table has rows of both to keep apart.
  for (const ws of [a, b]) await ws.owner.imports.preview({ source: { csv: `Email,First name,Last name\nnew@${ws.input.slug}.test,New,Person\n` } });
  // Until sso.configure exists on this path, each workspace's identity provider is written directly.
  for (const ws of [a, b])
    await app.database.owner('sso_connections').insert({ tenantId: ws.tenant.id, protocol: 'oidc', displayName: 'IdP', config: JSON.stringify({}) });
  // Provisioning: a token, a directory group and its member in each workspace.
  for (const ws of [a, b]) {
    await ws.owner.provisioning.createToken({ name: 'Okta' });
    const [group] = await app.database.owner('scim_groups').insert({ tenantId: ws.tenant.id, displayName: 'Staff' }).returning('id');
    await app.database.owner('scim_group_members').insert({ tenantId: ws.tenant.id, groupId: group.id, userId: ws.user.id });
  }
  // A pending SSO request and a used SAML assertion id in each workspace.
  for (const ws of [a, b]) {
    const expiresAt = new Date(Date.now() + 600_000);
    await app.database.owner('sso_requests').insert({ id: `state-${ws.tenant.id}`, tenantId: ws.tenant.id, protocol: 'oidc', purpose: 'sign_in', expiresAt });
    await app.database.owner('sso_assertions').insert({ tenantId: ws.tenant.id, assertionId: '_same-id-in-both', expiresAt });
  }
});

describe('row-level security (SPEC "Tenant isolation")', () => {
  it('the web role owns nothing and can bypass nothing', async () => {
    const [role] = (await app.database.owner.raw(`select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles where rolname = ?`, [WEB_ROLE])).rows;
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false });
    const owned = await app.database.owner.raw(
      `select c.relname from pg_class c join pg_roles r on r.oid = c.relowner where r.rolname = ?`,
      [WEB_ROLE],
    );
    expect(owned.rows).toEqual([]);
    const [{ current_user }] = (await app.database.web.raw('select current_user')).rows;
    expect(current_user).toBe(WEB_ROLE);
  });

  it('every tenant table has row-level security enabled and forced', async () => {
    const { rows } = await app.database.owner.raw(
      `select relname, relrowsecurity, relforcerowsecurity from pg_class where relname = any(?) and relkind = 'r' order by relname`,
      [TENANT_TABLES],
    );
    expect(rows.map((r: { relname: string }) => r.relname).sort()).toEqual([...TENANT_TABLES].sort());
    for (const row of rows) expect(row, row.relname).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true });
    // Every table with a tenant_id column is in the list above: a new one cannot be forgotten.
    const withTenantId = await app.database.owner.raw(
      `select table_name from information_schema.columns where table_schema = 'public' and column_name = 'tenant_id' order by table_name`,
    );
    // stripe_events learns its tenant only after processing and is never reachable by the web role.
    for (const { table_name } of withTenantId.rows) if (table_name !== 'stripe_events') expect(TENANT_TABLES).toContain(table_name);
  });

  it("with tenant A set, B's rows can be neither read nor changed", async () => {
    const web = app.database.web;
    await withTenant(web, a.tenant.id, async (trx) => {
      for (const table of TENANT_TABLES) {
        const column = table === 'tenants' ? 'id' : 'tenant_id';
        const rows = await trx(table).select(trx.raw(`${column}::text as t`));
        expect(rows.length, table).toBeGreaterThan(['login_events', 'one_time_tokens', 'api_keys', 'subscriptions', 'seat_ledger'].includes(table) ? -1 : 0);
        expect(rows.every((r: { t: string }) => r.t === a.tenant.id), table).toBe(true);
      }
      expect(await trx('users').where({ id: b.user.id }).update({ firstName: 'Mallory' })).toBe(0);
      expect(await trx('tenants').where({ id: b.tenant.id }).update({ name: 'Pwned' })).toBe(0);
      await expect(
        trx('audit_events').insert({ tenantId: b.tenant.id, actorType: 'system', action: 'forged' }),
      ).rejects.toThrow(/row-level security/);
    });
    const bUser = (await app.database.owner('users').where({ id: b.user.id }).first())!;
    expect(bUser.firstName).toBe('Ada');
    expect((await app.database.owner('tenants').where({ id: b.tenant.id }).first())!.name).toBe('Acme Inc');
  });

  it('with no tenant set, no rows at all', async () => {
    await app.database.web.transaction(async (trx) => {
      for (const table of TENANT_TABLES) expect(await trx(table).select('*'), table).toEqual([]);
    });
    // The tenant set by one transaction does not leak to the next one on the same connection.
    await withTenant(app.database.web, a.tenant.id, async (trx) => expect(await trx('users')).toHaveLength(1));
    expect(await app.database.web('users')).toEqual([]);
  });

  it('a tenant id that is not a uuid, or a nested tenant transaction, is refused before any SQL runs', async () => {
    const web = app.database.web;
    await expect(withTenant(web, `${a.tenant.id}', false); select 1; --`, async () => 'ran')).rejects.toThrow('A tenant id must be a uuid.');
    await expect(
      web.transaction((trx) => withTenant(trx, a.tenant.id, async () => 'ran')),
    ).rejects.toThrow('A tenant transaction cannot be nested in another transaction.');
    // The tenant really is set for the whole transaction, and only for it.
    const seen = await withTenant(web, b.tenant.id, async (trx) => (await trx.raw(`select current_setting('app.tenant_id') as t`)).rows[0].t);
    expect(seen).toBe(b.tenant.id);
    expect((await web.raw(`select coalesce(current_setting('app.tenant_id', true), '') as t`)).rows[0].t).toBe('');
  });

  it('a read-only tenant transaction (every query procedure) reads its tenant and can write nothing', async () => {
    const web = app.database.web;
    const names = await withTenant(web, a.tenant.id, async (trx) => (await trx('users').select('firstName')).map((u) => u.firstName), { readOnly: true });
    expect(names).toEqual(['Ada']);
    await expect(
      withTenant(web, a.tenant.id, (trx) => trx('users').where({ id: a.user.id }).update({ firstName: 'Mallory' }), { readOnly: true }),
    ).rejects.toThrow(/read-only transaction/);
    expect((await app.database.owner('users').where({ id: a.user.id }).first())!.firstName).toBe('Ada');
  });

  it("the search function, which runs as the owner to use its index, returns only the set tenant's users", async () => {
    const web = app.database.web;
    const search = (trx: Parameters<Parameters<typeof withTenant>[2]>[0]) =>
      trx.raw(`select tenant_id::text as t, email from user_search_rows('%ada%')`).then((r) => r.rows);
    // Both tenants' owners are named Ada: each tenant finds its own and only its own.
    expect(await withTenant(web, a.tenant.id, search)).toEqual([{ t: a.tenant.id, email: a.user.email }]);
    expect(await withTenant(web, b.tenant.id, search)).toEqual([{ t: b.tenant.id, email: b.user.email }]);
    expect(await web.transaction(search)).toEqual([]);
    expect((await a.owner.users.list({ q: 'ada' })).items.map((u) => u.id)).toEqual([a.user.id]);
  });
});
