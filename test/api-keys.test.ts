import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../server/domain/api-keys/key-format';
import { integrationProcedures } from '../server/http/openapi';
import { createTestApp, startHttp, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { signUp } from './helpers/factories';

let app: TestApp;
let url: string;

beforeAll(async () => {
  app = await createTestApp({ API_KEY_RATE_LIMIT: '40' });
  ({ url } = await startHttp(app.deps));
});

/** A workspace with an active API user holding the Integration role, and one key for it. */
async function integration(apiSeats = 2) {
  const ws = await signUp(app);
  await app.database.owner('seat_pools').where({ tenantId: ws.tenant.id, seatType: 'api' }).update({ included: apiSeats });
  const bot = await ws.owner.users.create({ kind: 'api', email: `bot@${ws.tenant.slug}.test`, firstName: 'Build', lastName: 'Bot' });
  const created = await ws.owner.apiKeys.create({ userId: bot.id, name: 'CI pipeline' });
  return { ...ws, bot, key: created.key, keyId: created.id };
}

const call = (key: string, path: string, input?: unknown, method: 'GET' | 'POST' = input === undefined || path.match(/\.(get|list|summary|permissions|loginHistory)$/) ? 'GET' : 'POST') =>
  fetch(
    method === 'GET' ? `${url}/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}` : `${url}/trpc/${path}`,
    { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: method === 'POST' ? JSON.stringify(input) : undefined },
  );

async function body(response: Response) {
  const json = await response.json();
  return { status: response.status, data: json.result?.data, message: json.error?.message, reason: json.error?.data?.reason };
}

describe('API keys', () => {
  it('returns the key once, in its format, and keeps only a hash and a prefix', async () => {
    const { owner, bot, key, keyId, tenant } = await integration();
    expect(key).toMatch(/^swk_[0-9A-Za-z]{49}$/);
    const listed = await owner.apiKeys.list({ userId: bot.id });
    expect(listed).toEqual([expect.objectContaining({ id: keyId, name: 'CI pipeline', prefix: key.slice(0, 12), status: 'active', lastUsedAt: null })]);
    expect(JSON.stringify(listed)).not.toContain(key.slice(12));
    expect(JSON.stringify(await owner.users.get({ id: bot.id }))).not.toContain(key.slice(12));

    const { rows: columns } = await app.database.owner.raw(
      `select table_schema, table_name, column_name from information_schema.columns
       where table_schema in ('public', 'pgboss') and data_type in ('text', 'character varying', 'jsonb', 'json')`,
    );
    for (const c of columns) {
      const { rows } = await app.database.owner.raw(`select count(*)::int as n from ??.?? where ??::text like ?`, [c.table_schema, c.table_name, c.column_name, `%${key.slice(12)}%`]);
      expect(rows[0].n, `${c.table_name}.${c.column_name}`).toBe(0);
    }
    expect(tenant.id).toBeTruthy();
  });

  it('are only for API users, and only with users.manage', async () => {
    const { owner, user } = await integration();
    expect(await refusal(owner.apiKeys.create({ userId: user.id, name: 'x' }))).toMatchObject({ code: 'BAD_REQUEST', message: 'Only API users have API keys.' });
  });

  it('authenticate the Integration role to manage users over plain HTTP, with the same seat rule and messages', async () => {
    const { key, tenant } = await integration();
    const created = await body(await call(key, 'users.create', { kind: 'standard', email: 'new.hire@example.test', firstName: 'New', lastName: 'Hire' }));
    expect(created).toMatchObject({ status: 200, data: { status: 'invited', email: 'new.hire@example.test' } });
    const id = created.data.id;
    expect(await body(await call(key, 'users.get', { id }))).toMatchObject({ status: 200, data: { id, role: { name: 'Member' } } });
    expect(await body(await call(key, 'users.update', { id, firstName: 'Renamed' }))).toMatchObject({ status: 200, data: { firstName: 'Renamed' } });
    expect(await body(await call(key, 'users.setStatus', { id, status: 'banned', reason: 'Contract ended' }))).toMatchObject({ status: 200, data: { status: 'banned' } });
    expect(await body(await call(key, 'users.setStatus', { id, status: 'active' }))).toMatchObject({ status: 200, data: { status: 'invited' } });

    await call(key, 'users.create', { kind: 'standard', email: 'second@example.test', firstName: 'S', lastName: 'S' });
    const refused = await body(await call(key, 'users.create', { kind: 'standard', email: 'third@example.test', firstName: 'T', lastName: 'T' }));
    expect(refused).toMatchObject({
      status: 403,
      reason: 'SEAT_LIMIT',
      message: 'You have reached Purchased User limit as 3 User, You need to buy more users to create this user',
    });
    const audit = await app.database.owner('audit_events').where({ tenantId: tenant.id, targetId: id }).orderBy('id');
    expect(audit.every((e) => e.actorType === 'api_key')).toBe(true);
    expect(audit.map((e) => e.action)).toEqual(['user.created', 'user.updated', 'user.status_changed', 'user.status_changed']);
  });

  it('a custom API role without users.manage gets FORBIDDEN on users.create', async () => {
    const { owner, bot, key } = await integration();
    const reader = await owner.roles.create({ name: 'Reader bot', audience: 'api', permissions: ['users.read'] });
    await owner.users.setRole({ id: bot.id, roleId: reader.id });
    expect((await call(key, 'users.list', {})).status).toBe(200);
    const refused = await body(await call(key, 'users.create', { kind: 'standard', email: 'x@example.test', firstName: 'X', lastName: 'X' }));
    expect(refused).toMatchObject({ status: 403, message: 'You need the users.manage permission to do this.' });
  });

  it("a key of tenant A asking for tenant B's user gets NOT_FOUND", async () => {
    const a = await integration();
    const b = await signUp(app);
    expect(await body(await call(a.key, 'users.get', { id: b.user.id }))).toMatchObject({ status: 404, message: 'User not found' });
  });

  it('refuses every bad key with 401 and the reason', async () => {
    const { owner, key, keyId, bot } = await integration(3);
    const tampered = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    expect(await body(await call(tampered, 'seats.summary'))).toMatchObject({ status: 401, reason: 'KEY_MALFORMED' });
    expect(await body(await call('not-a-key', 'seats.summary'))).toMatchObject({ status: 401, reason: 'KEY_MALFORMED' });
    expect(await body(await call(generateApiKey().key, 'seats.summary'))).toMatchObject({ status: 401, message: 'This API key is not recognised.' });

    const expiring = await owner.apiKeys.create({ userId: bot.id, name: 'short-lived', expiresAt: new Date(app.clock.now().getTime() + 60_000).toISOString() });
    expect((await call(expiring.key, 'seats.summary')).status).toBe(200);
    app.clock.advance(61_000);
    expect(await body(await call(expiring.key, 'seats.summary'))).toMatchObject({ status: 401, reason: 'KEY_EXPIRED' });

    // A key in the URL is refused even when it is valid.
    const inUrl = await fetch(`${url}/trpc/seats.summary?api_key=${key}`);
    expect(inUrl.status).toBe(401);
    expect((await inUrl.json()).error.message).toContain('never in the URL');

    // Revoking a key makes it fail on the very next call.
    expect((await call(key, 'seats.summary')).status).toBe(200);
    await owner.apiKeys.revoke({ id: keyId });
    expect(await body(await call(key, 'seats.summary'))).toMatchObject({ status: 401, message: 'This API key has been revoked.' });
  });

  it('deactivating the API user revokes its keys at once, with an audit event each; reactivation does not restore them', async () => {
    const { owner, key, bot } = await integration();
    const second = await owner.apiKeys.create({ userId: bot.id, name: 'second' });
    expect((await call(key, 'seats.summary')).status).toBe(200);
    await owner.users.setStatus({ id: bot.id, status: 'deactivated' });
    expect(await body(await call(key, 'seats.summary'))).toMatchObject({ status: 401, reason: 'KEY_REVOKED' });
    const revocations = await app.database.owner('audit_events').where({ targetId: bot.id, action: 'api_key.revoked' });
    expect(revocations).toHaveLength(2);
    await owner.users.setStatus({ id: bot.id, status: 'active' });
    expect(await body(await call(second.key, 'seats.summary'))).toMatchObject({ status: 401, reason: 'KEY_REVOKED' });
  });

  it('records last use at most once a minute, and counts as the API user activity', async () => {
    const { owner, key, keyId, bot } = await integration();
    await call(key, 'seats.summary');
    const first = (await owner.apiKeys.list({ userId: bot.id })).find((k) => k.id === keyId)!.lastUsedAt;
    expect(first).toEqual(app.clock.now());
    app.clock.advance(30_000);
    await call(key, 'seats.summary');
    expect((await owner.apiKeys.list({ userId: bot.id })).find((k) => k.id === keyId)!.lastUsedAt).toEqual(first);
    app.clock.advance(31_000);
    await call(key, 'seats.summary');
    expect((await owner.apiKeys.list({ userId: bot.id })).find((k) => k.id === keyId)!.lastUsedAt).toEqual(app.clock.now());
    expect((await app.database.owner('users').where({ id: bot.id }).first())!.lastActivityAt).toEqual(app.clock.now());
  });

  it('rate-limits each key with 429 and Retry-After, and recovers in the next window', async () => {
    const { key } = await integration();
    app.clock.set(new Date(Math.ceil(app.clock.now().getTime() / 60_000) * 60_000 + 1000));
    const statuses = [];
    for (let i = 0; i < 41; i++) statuses.push((await call(key, 'seats.summary')).status);
    expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
    const limited = await call(key, 'seats.summary');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await limited.json()).error.message).toMatch(/^Too many requests with this API key\. Try again in 1 minute\.$/);
    app.clock.advance(60_000);
    expect((await call(key, 'seats.summary')).status).toBe(200);
  });
});

describe('OpenAPI', () => {
  it('is a valid OpenAPI 3.1 document listing every integration procedure with its input schema', async () => {
    const doc = await (await fetch(`${url}/api/openapi.json`)).json();
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const op of integrationProcedures) {
      const entry = doc.paths[`/trpc/${op.path}`];
      expect(entry, op.path).toBeDefined();
      const operation = entry.get ?? entry.post;
      if (op.input) {
        const schema = operation.requestBody?.content['application/json'].schema ?? operation.parameters[0].content['application/json'].schema;
        expect(schema.type, op.path).toBe('object');
      }
    }
    expect(doc.paths['/trpc/users.create'].post.requestBody.content['application/json'].schema.required).toEqual(['kind', 'email', 'firstName', 'lastName']);
    const page = await (await fetch(`${url}/api/docs`)).text();
    expect(page).toContain('POST /trpc/users.setStatus');
  });
});

describe("the API user's page", () => {
  it('shows a new key once, lists it by prefix afterwards, and revokes it after confirmation', async () => {
    const { pathToFileURL } = await import('node:url');
    const remixBuild = await import(pathToFileURL(`${process.cwd()}/build/index.js`).href);
    const { url: site } = await startHttp(app.deps, { remixBuild });
    const password = 'correct horse battery staple';
    const { bot, tenant, input } = await integration();
    const login = await fetch(`${site}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workspace: tenant.slug, email: input.email, password }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const page = `${site}/users/${bot.id}?tab=keys`;
    const created = await fetch(page, {
      method: 'POST',
      headers: { cookie, origin: site },
      body: new URLSearchParams({ intent: 'createKey', name: 'Payroll sync' }),
    });
    const html = await created.text();
    const key = /value="(swk_[0-9A-Za-z]{49})"/.exec(html)?.[1];
    expect(key, 'the new key is shown').toBeDefined();
    expect(html).toContain('it will not be shown again');
    expect((await call(key!, 'seats.summary')).status).toBe(200);

    const later = await (await fetch(page, { headers: { cookie } })).text();
    expect(later).not.toContain(key!);
    expect(later).toContain(`${key!.slice(0, 12)}…`);

    const keyId = (await app.database.owner('api_keys').where({ name: 'Payroll sync' }).first())!.id;
    const revoked = await fetch(page, { method: 'POST', headers: { cookie, origin: site }, body: new URLSearchParams({ intent: 'revokeKey', keyId }), redirect: 'manual' });
    expect(revoked.status).toBe(302);
    expect((await call(key!, 'seats.summary')).status).toBe(401);
  });
});
