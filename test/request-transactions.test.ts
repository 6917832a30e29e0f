/**
 * Issue #20: what a page load and an API key request cost in transactions and round trips. A page
 * load's queries share one transaction and one session look-up (server/trpc/page-transaction.ts);
 * an API key request sends its rate-limit hit, its look-up and its tenant with BEGIN, in one message.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerBuild } from '@remix-run/node';
import pg from 'pg';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, memoryCookies, startHttp, type TestApp } from './helpers/app';
import { insertUser, signUp } from './helpers/factories';

let app: TestApp;
let url: string;

beforeAll(async () => {
  app = await createTestApp({ API_KEY_RATE_LIMIT: '40' });
  const remixBuild = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as ServerBuild;
  ({ url } = await startHttp(app.deps, { remixBuild }));
});

/** Every message node-pg sends from now on, as SQL text; stop() ends the listening. */
function listenToMessages() {
  const sent: string[] = [];
  const original = pg.Client.prototype.query;
  // This file's database only: with vitest's isolate: false, clients of an earlier file (a worker's
  // pg-boss polling its own database) may share the process.
  const database = new URL(app.database.url).pathname.slice(1);
  const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: any[]) {
    const text = typeof args[0] === 'string' ? args[0] : args[0]?.text;
    if (typeof text === 'string' && this.database === database && !/^set role /.test(text)) sent.push(text);
    return (original as any).apply(this, args);
  });
  return { sent, stop: () => spy.mockRestore() };
}

const begins = (sent: string[]) => sent.filter((text) => /(^|; )begin\b/.test(text));
const sessionLookUps = (sent: string[]) => sent.filter((text) => text.includes('session_actor('));
const ends = (sent: string[]) => sent.filter((text) => /^(commit|rollback);?$/i.test(text)).map((text) => text.replace(';', '').toLowerCase());

async function workspace() {
  const ws = await signUp(app);
  return { ...ws, cookie: `seatwise_session=${ws.cookies.values.get('seatwise_session')}` };
}

describe('a page load', () => {
  it('runs the layout and the page loaders in one transaction that resolves the session once, ended after the response', async () => {
    const ws = await workspace();
    for (const page of ['/users', `/users/${ws.user.id}`]) {
      const messages = listenToMessages();
      try {
        const response = await fetch(`${url}${page}`, { headers: { cookie: ws.cookie } });
        const html = await response.text();
        expect(response.status).toBe(200);
        // The layout (auth.me) and the page (users.list, roles.list, seats.summary; or users.get, users.permissions, roles.list, auth.me) drew.
        expect(html).toMatch(/Ada Lovelace(<!-- -->)? · (<!-- -->)?Acme Inc/);
        expect(html).toContain(ws.input.email);
        expect(begins(messages.sent)).toHaveLength(1);
        expect(sessionLookUps(messages.sent)).toHaveLength(1);
        await expect.poll(() => ends(messages.sent)).toHaveLength(1);
      } finally {
        messages.stop();
      }
    }
  });

  it('without a live session sends the visitor to sign in after a single refused opening', async () => {
    const messages = listenToMessages();
    try {
      const response = await fetch(`${url}/users`, { headers: { cookie: 'seatwise_session=not-a-live-token' }, redirect: 'manual' });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/login?redirectTo=%2Fusers');
      expect(sessionLookUps(messages.sent)).toHaveLength(1);
    } finally {
      messages.stop();
    }
  });

  it('confirmations say what will really happen: a reactivated invitee is invited again; a bulk action needs a selection', async () => {
    const ws = await workspace();
    await app.database.owner('seat_pools').where({ tenantId: ws.tenant.id, seatType: 'standard' }).update({ included: 5 });
    const sam = await ws.owner.users.create({ kind: 'standard', email: `sam@${ws.tenant.slug}.test`, firstName: 'Sam', lastName: 'Test' });
    await ws.owner.users.setStatus({ id: sam.id, status: 'deactivated' });
    const text = async (page: string) => (await (await fetch(`${url}${page}`, { headers: { cookie: ws.cookie } })).text()).replaceAll('<!-- -->', '');
    const reactivate = await text(`/users/${sam.id}?tab=status&to=active`);
    expect(reactivate).toContain('Reactivate Sam Test? They never accepted their invitation, so they become');
    expect(reactivate).toContain('and get a new invitation email.');
    expect(reactivate).not.toContain('Change Sam Test from');
    expect(await text('/users?confirm=deactivated')).toContain('Select the users to deactivate first.');
  });

  it("keeps each procedure's own permission check: a Member sees its layout but is refused another user's page", async () => {
    const ws = await workspace();
    const member = await insertUser(app, ws.tenant.id, { email: `member@${ws.tenant.slug}.test`, password: 'a member password' });
    const cookies = memoryCookies();
    await (await app.caller(cookies)).auth.login({ workspace: ws.input.slug, email: member.email, password: 'a member password' });
    const messages = listenToMessages();
    try {
      // auth.me (the layout) passes in the shared transaction; users.get (the page) is refused in it.
      const response = await fetch(`${url}/users/${ws.user.id}`, { headers: { cookie: `seatwise_session=${cookies.values.get('seatwise_session')}` } });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('You need the users.read permission to do this.');
      expect(begins(messages.sent)).toHaveLength(1);
      // A refused call rolls the page's transaction back.
      await expect.poll(() => ends(messages.sent)).toEqual(['rollback']);
    } finally {
      messages.stop();
    }
    // Each refused page names the permission it needs itself, not the one a call it makes first needs.
    for (const [path, permission] of [['/settings', 'settings.manage'], ['/roles', 'users.read'], ['/login-history', 'users.read']]) {
      const page = await fetch(`${url}${path}`, { headers: { cookie: `seatwise_session=${cookies.values.get('seatwise_session')}` } });
      expect({ path, status: page.status, text: await page.text() }).toMatchObject({ path, status: 403, text: expect.stringContaining(`You need the ${permission} permission to do this.`) });
    }
  });
});

describe('an API key request', () => {
  async function integration() {
    const ws = await signUp(app);
    await app.database.owner('seat_pools').where({ tenantId: ws.tenant.id, seatType: 'api' }).update({ included: 1 });
    const bot = await ws.owner.users.create({ kind: 'api', email: `bot@${ws.tenant.slug}.test`, firstName: 'Build', lastName: 'Bot' });
    const created = await ws.owner.apiKeys.create({ userId: bot.id, name: 'CI pipeline' });
    return { ...ws, bot, key: created.key, keyId: created.id };
  }
  const get = (key: string, id: string) =>
    fetch(`${url}/trpc/users.get?input=${encodeURIComponent(JSON.stringify({ id }))}`, { headers: { authorization: `Bearer ${key}` } });
  const hits = async (keyId: string) => (await app.database.owner('rate_limits').where({ key: `api-key:${keyId}` }).first('hits'))?.hits;

  it('counts its hit, finds its key and sets its tenant in the message that opens its transaction', async () => {
    const { key, keyId, bot } = await integration();
    await get(key, bot.id); // the first use of the key touches its last use: not what is measured here
    const messages = listenToMessages();
    try {
      const response = await get(key, bot.id);
      expect(response.status).toBe(200);
      expect((await response.json()).result.data.email).toBe(bot.email);
      const [opening, ...rest] = messages.sent;
      expect(opening).toMatch(/^select api_key_hit\('[0-9a-f]{64}', 'api-key:', '[^']+', 1\) as hits; commit; begin transaction read only; select set_config\('app\.tenant_id', a\.tenant_id::text, true\) as tenant, a\.\* from api_key_actor\('[0-9a-f]{64}'\) a;$/);
      // Then the procedure's own statement, and nothing else before it.
      expect(rest[0]).toMatch(/from "users"/);
      expect(begins(messages.sent)).toHaveLength(1);
    } finally {
      messages.stop();
    }
    expect(await hits(keyId)).toBe(2);
  });

  it("counts a request that fails against the key's limit (its transaction rolled back), and refuses a revoked key with its message", async () => {
    const { key, keyId, owner } = await integration();
    const missing = await get(key, '00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(await hits(keyId)).toBe(1);
    await owner.apiKeys.revoke({ id: keyId });
    const revoked = await get(key, '00000000-0000-4000-8000-000000000000');
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).error.message).toBe('This API key has been revoked.');
  });

  it("does not hold the key's counter locked while its transaction runs: concurrent requests with one key do not queue on it", async () => {
    const { key, keyId, bot } = await integration();
    // Ten at once on one key: each counted once, all answered.
    const responses = await Promise.all(Array.from({ length: 10 }, () => get(key, bot.id)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await hits(keyId)).toBe(10);
    // While a key's mutation is in its transaction, another connection updates the counter at once.
    const { withApiKey } = await import('../server/domain/api-keys/keys');
    const { RATE_LIMITS } = await import('../server/domain/rate-limits');
    await withApiKey({ db: app.database.web, ownerDb: app.database.owner, key, now: app.clock.now(), limit: RATE_LIMITS.apiKey(app.env), readOnly: false }, async () => {
      await app.database.owner.transaction(async (other) => {
        await other.raw(`set local lock_timeout = '2s'`);
        await other('rate_limits').where({ key: `api-key:${keyId}` }).increment('hits', 0);
      });
    });
    expect(await hits(keyId)).toBe(11);
  });
});
