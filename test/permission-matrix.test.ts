import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, memoryCookies, startHttp, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { insertUser, signUp } from './helpers/factories';

/**
 * Issue #13, finding 1: an actor never acts on a user whose role holds a permission the actor
 * lacks — identity fields, status, password, invitation, role, keys — whether it signs in or
 * sends an API key. The Owner holds billing.manage; an Admin and the Integration role do not.
 */
let app: TestApp;
let url: string;

beforeAll(async () => {
  app = await createTestApp();
  ({ url } = await startHttp(app.deps));
});

type Outcome = { ok: boolean; code?: string; message?: string; reason?: string };
type Act = (path: string, input: Record<string, unknown>) => Promise<Outcome>;

async function workspace() {
  const ws = await signUp(app);
  const tenantId = ws.tenant.id;
  await app.database.owner('seat_pools').where({ tenantId }).update({ included: 20 });
  const password = 'a good long password';
  const admin = await insertUser(app, tenantId, { email: `admin@${ws.tenant.slug}.test`, roleKey: 'admin', password });
  const cookies = memoryCookies();
  await (await app.caller(cookies)).auth.login({ workspace: ws.tenant.slug, email: admin.email, password });
  const adminCaller = await app.caller(cookies);
  const bot = await ws.owner.users.create({ kind: 'api', email: `bot@${ws.tenant.slug}.test`, firstName: 'Build', lastName: 'Bot' });
  const { key } = await ws.owner.apiKeys.create({ userId: bot.id, name: 'attacker' });

  const session: Act = async (path, input) => {
    const [router, procedure] = path.split('.');
    const fn = (adminCaller as unknown as Record<string, Record<string, (i: unknown) => Promise<unknown>>>)[router][procedure];
    try {
      await fn(input);
      return { ok: true };
    } catch (error) {
      const r = await refusal(Promise.reject(error));
      return { ok: false, code: r.code, message: r.message, reason: r.data.reason as string };
    }
  };
  const apiKey: Act = async (path, input) => {
    const response = await fetch(`${url}/trpc/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const json = await response.json();
    if (response.ok) return { ok: true };
    return { ok: false, code: json.error.data.code, message: json.error.message, reason: json.error.data.reason };
  };
  return { ...ws, tenantId, admin, bot, session, apiKey };
}

/** What an attacker would change on a more powerful user, one procedure at a time. */
const attacks = (id: string, roleId: string) => [
  ['users.update', { id, email: 'attacker@evil.test' }],
  ['users.update', { id, userName: 'taken-over' }],
  ['users.update', { id, samlNameId: 'attacker-name-id' }],
  ['users.update', { id, firstName: 'Pwned' }],
  ['users.sendPasswordReset', { id }],
  ['users.requirePasswordChange', { id, required: true }],
  ['users.setStatus', { id, status: 'suspended' }],
  ['users.setStatus', { id, status: 'deactivated' }],
  ['users.setStatus', { id, status: 'banned', reason: 'takeover' }],
  ['users.setRole', { id, roleId }],
] as const;

async function snapshot(tenantId: string, id: string) {
  const db = app.database.owner;
  const user = await db('users').where({ id }).first('email', 'userName', 'samlNameId', 'firstName', 'status', 'roleId', 'mustChangePassword');
  const [{ n: jobs }] = await db('pgboss.job').where({ name: 'email.send' }).whereRaw(`data->>'tenantId' = ?`, [tenantId]).count({ n: '*' });
  const [{ n: audit }] = await db('audit_events').where({ tenantId }).count({ n: '*' });
  const [{ n: sessions }] = await db('sessions').where({ userId: id }).count({ n: '*' });
  return { user, jobs: Number(jobs), audit: Number(audit), sessions: Number(sessions) };
}

describe('nobody acts on a user who holds a permission they lack (#13)', () => {
  it.each(['session', 'apiKey'] as const)('an Admin %s cannot take over the Owner, and nothing changes', async (via) => {
    const ws = await workspace();
    const act = ws[via];
    const member = (await ws.owner.roles.list()).find((r) => r.key === 'member')!;
    const before = await snapshot(ws.tenantId, ws.user.id);
    expect(before.sessions).toBe(1);
    for (const [path, input] of attacks(ws.user.id, member.id)) {
      const outcome = await act(path, input);
      expect(outcome, `${path} ${JSON.stringify(input)}`).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect(outcome.message).toMatch(/^You cannot .+ this user: their role, Owner, has permissions you do not have \(billing\.manage/);
    }
    expect(await snapshot(ws.tenantId, ws.user.id)).toEqual(before);
  });

  it('an invited Owner gets no invitation resent by an Admin session or an Integration key', async () => {
    const ws = await workspace();
    const invitedOwner = await insertUser(app, ws.tenantId, { email: `owner2@${ws.tenant.slug}.test`, roleKey: 'owner', status: 'invited', password: null });
    const before = await snapshot(ws.tenantId, invitedOwner.id);
    for (const act of [ws.session, ws.apiKey]) {
      expect(await act('users.resendInvitation', { id: invitedOwner.id })).toMatchObject({ ok: false, code: 'FORBIDDEN', reason: 'OUTRANKED' });
    }
    expect(await snapshot(ws.tenantId, invitedOwner.id)).toEqual(before);
    // The Owner may.
    await ws.owner.users.resendInvitation({ id: invitedOwner.id });
    expect((await snapshot(ws.tenantId, invitedOwner.id)).jobs).toBe(before.jobs + 1);
  });

  it('an Integration key cannot act on an Admin (roles.manage, audit.read, settings.manage) but an Admin session can act on a Member', async () => {
    const ws = await workspace();
    const outcome = await ws.apiKey('users.update', { id: ws.admin.id, email: 'attacker@evil.test' });
    expect(outcome).toMatchObject({ ok: false, code: 'FORBIDDEN', reason: 'OUTRANKED' });
    expect(outcome.message).toContain('roles.manage');
    expect((await app.database.owner('users').where({ id: ws.admin.id }).first())!.email).toBe(ws.admin.email);

    const member = await insertUser(app, ws.tenantId, { email: `m@${ws.tenant.slug}.test` });
    expect(await ws.session('users.update', { id: member.id, email: `renamed@${ws.tenant.slug}.test` })).toEqual({ ok: true });
    expect(await ws.apiKey('users.setStatus', { id: member.id, status: 'suspended' })).toEqual({ ok: true });
    expect((await app.database.owner('users').where({ id: member.id }).first())!.status).toBe('suspended');
  });

  it("an Integration key cannot mint or revoke keys for an API user with more permissions than its own", async () => {
    const ws = await workspace();
    const strong = await ws.owner.roles.create({ name: 'Auditor bot', audience: 'api', permissions: ['users.read', 'users.manage', 'audit.read'] });
    const auditor = await ws.owner.users.create({ kind: 'api', email: `auditor@${ws.tenant.slug}.test`, firstName: 'A', lastName: 'B', roleId: strong.id });
    const existing = await ws.owner.apiKeys.create({ userId: auditor.id, name: 'audits' });
    expect(await ws.apiKey('apiKeys.create', { userId: auditor.id, name: 'stolen' })).toMatchObject({ ok: false, code: 'FORBIDDEN', reason: 'OUTRANKED' });
    expect(await ws.apiKey('apiKeys.revoke', { id: existing.id })).toMatchObject({ ok: false, code: 'FORBIDDEN', reason: 'OUTRANKED' });
    const keys = await app.database.owner('api_keys').where({ userId: auditor.id });
    expect(keys.map((k) => [k.name, k.revokedAt])).toEqual([['audits', null]]);
  });

  it('an Admin can ban an Owner no more than demote one: the two answers agree', async () => {
    const ws = await workspace();
    await insertUser(app, ws.tenantId, { email: `owner3@${ws.tenant.slug}.test`, roleKey: 'owner' });
    const member = (await ws.owner.roles.list()).find((r) => r.key === 'member')!;
    const ban = await ws.session('users.setStatus', { id: ws.user.id, status: 'banned', reason: 'x' });
    const demote = await ws.session('users.setRole', { id: ws.user.id, roleId: member.id });
    expect(ban).toMatchObject({ ok: false, code: 'FORBIDDEN', reason: 'OUTRANKED' });
    expect(demote).toMatchObject({ ok: false, code: 'FORBIDDEN', reason: 'OUTRANKED' });
    expect((await app.database.owner('users').where({ id: ws.user.id }).first())!.status).toBe('active');
  });
});

describe('the last active Owner (SPEC "Status and seats")', () => {
  it('an API key whose role holds every permission still cannot suspend, deactivate or ban the last active Owner; with a second Owner it can', async () => {
    const ws = await workspace();
    const all = await ws.owner.roles.create({ name: 'Full bot', audience: 'api', permissions: ['users.read', 'users.manage', 'billing.manage', 'roles.manage', 'audit.read', 'settings.manage'] });
    const bot = await ws.owner.users.create({ kind: 'api', email: `full@${ws.tenant.slug}.test`, firstName: 'F', lastName: 'B', roleId: all.id });
    const { key } = await ws.owner.apiKeys.create({ userId: bot.id, name: 'full' });
    const act = (input: Record<string, unknown>) =>
      fetch(`${url}/trpc/users.setStatus`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(input) }).then(async (r) => ({ status: r.status, json: await r.json() }));
    for (const status of ['suspended', 'deactivated', 'banned']) {
      const { status: http, json } = await act({ id: ws.user.id, status, reason: 'x' });
      expect(http).toBe(403);
      expect(json.error.data.reason).toBe('LAST_OWNER');
    }
    expect((await app.database.owner('users').where({ id: ws.user.id }).first())!.status).toBe('active');
    await insertUser(app, ws.tenantId, { email: `second-owner@${ws.tenant.slug}.test`, roleKey: 'owner' });
    expect((await act({ id: ws.user.id, status: 'suspended' })).json.result.data.status).toBe('suspended');
  });
});
