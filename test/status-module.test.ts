import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TRANSITIONS, STATUSES, SYSTEM_TRANSITIONS } from '../server/contract/statuses';
import { runInactivitySweep } from '../server/domain/users/inactivity';
import { createJobSender } from '../server/jobs/index';
import { createTestApp, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { insertUser, signInAgain, signUp } from './helpers/factories';

let app: TestApp;
const DAY = 86_400_000;
const start = new Date('2026-03-01T03:00:00Z');

beforeAll(async () => {
  app = await createTestApp();
});

const sweep = () => runInactivitySweep({ db: app.database.owner, jobs: createJobSender(), now: app.clock.now() });
const userRow = (id: string) => app.database.owner('users').where({ id }).first();

async function workspace() {
  app.clock.set(start);
  const ws = await signUp(app);
  await app.database.owner('seat_pools').where({ tenantId: ws.tenant.id }).update({ included: 2000 });
  await app.database.owner('tenants').where({ id: ws.tenant.id }).update({ inactivityDays: 30, inactivityWarningDays: 0 });
  return ws;
}

describe('the status module', () => {
  it('the sweep deactivates suspended users too: their seats come back, an API user loses its keys, and the audit says suspended → deactivated', async () => {
    const ws = await workspace();
    const { tenant, owner } = ws;
    const person = await insertUser(app, tenant.id, { email: 'away@example.test' });
    const bot = await insertUser(app, tenant.id, { email: 'bot@example.test', kind: 'api' });
    const key = await owner.apiKeys.create({ userId: bot.id, name: 'nightly' });
    for (const user of [person, bot]) await owner.users.setStatus({ id: user.id, status: 'suspended', reason: 'On leave' });
    await app.database.owner('users').whereIn('id', [person.id, bot.id]).update({ createdAt: start, lastActivityAt: start });

    app.clock.set(new Date(start.getTime() + 31 * DAY));
    const admin = await signInAgain(app, ws);
    const before = await admin.seats.summary();
    expect(before.standard.byStatus.suspended).toBe(1);

    expect(await sweep()).toMatchObject({ deactivated: 2 });
    for (const user of [person, bot]) {
      expect(await userRow(user.id)).toMatchObject({ status: 'deactivated', statusReason: 'Inactive for 30 days', deactivatedAt: app.clock.now() });
      const [audit] = await app.database.owner('audit_events').where({ targetId: user.id, action: 'user.status_changed', actorType: 'worker' });
      expect(audit).toMatchObject({ before: { status: 'suspended', reason: 'On leave' }, after: { status: 'deactivated', reason: 'Inactive for 30 days' } });
    }
    const after = await admin.seats.summary();
    expect(after.standard.used).toBe(before.standard.used - 1);
    expect(after.api.used).toBe(before.api.used - 1);
    expect((await app.database.owner('api_keys').where({ id: key.id }).first())!.revokedAt).toEqual(app.clock.now());
    expect(await app.database.owner('audit_events').where({ targetId: bot.id, action: 'api_key.revoked' })).toHaveLength(1);
  });

  it('one set-based deactivation for a thousand users: each audited once, sessions and links gone, seat holders only', async () => {
    const { tenant } = await workspace();
    const role = (await app.database.owner('roles').where({ tenantId: tenant.id, key: 'member' }).first('id'))!;
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      tenantId: tenant.id,
      kind: 'standard' as const,
      email: `p${i}@example.test`,
      firstName: 'P',
      lastName: String(i),
      displayName: `P ${i}`,
      roleId: role.id,
      // Every status the sweep may start from, and two it must leave alone.
      status: STATUSES[i % STATUSES.length],
      statusReason: STATUSES[i % STATUSES.length] === 'banned' ? 'Policy' : null,
      deactivatedAt: STATUSES[i % STATUSES.length] === 'deactivated' ? start : null,
      createdAt: start,
      lastActivityAt: start,
    }));
    const users: { id: string; status: string }[] = await app.database.owner('users').insert(rows).returning(['id', 'status']);
    const victim = users.find((u) => u.status === 'active')!;
    await app.database.owner('sessions').insert({ tenantId: tenant.id, userId: victim.id, tokenHash: 'f'.repeat(64), expiresAt: new Date(start.getTime() + 99 * DAY) });
    await app.database
      .owner('one_time_tokens')
      .insert({ tenantId: tenant.id, userId: victim.id, purpose: 'password_reset', tokenHash: 'e'.repeat(64), expiresAt: new Date(start.getTime() + 99 * DAY) });

    app.clock.set(new Date(start.getTime() + 31 * DAY));
    const swept = users.filter((u) => (SYSTEM_TRANSITIONS.sweep.from as readonly string[]).includes(u.status));
    expect((await sweep()).deactivated).toBe(swept.length);

    const statuses = await app.database.owner('users').where({ tenantId: tenant.id }).whereIn('id', users.map((u) => u.id)).select('id', 'status');
    const byId = new Map(statuses.map((u: { id: string; status: string }) => [u.id, u.status]));
    for (const user of users) expect(byId.get(user.id)).toBe(user.status === 'banned' ? 'banned' : 'deactivated');
    const [{ n }] = await app.database.owner('audit_events').where({ tenantId: tenant.id, action: 'user.status_changed' }).count({ n: '*' });
    expect(Number(n)).toBe(swept.length);
    expect(await app.database.owner('sessions').where({ userId: victim.id })).toEqual([]);
    expect((await app.database.owner('one_time_tokens').where({ userId: victim.id }).first())!.usedAt).toEqual(app.clock.now());
  });

  it('the sweep keeps a locked sole Owner, who can still reset a password: a workspace never loses its last Owner', async () => {
    const ws = await workspace();
    await app.database.owner('tenants').where({ id: ws.tenant.id }).update({ lockoutThreshold: 2 });
    for (let i = 0; i < 2; i++) {
      await (await app.caller()).auth.login({ workspace: ws.tenant.slug, email: ws.input.email, password: 'wrong password!' }).catch(() => null);
    }
    expect(await userRow(ws.user.id)).toMatchObject({ status: 'locked' });
    app.clock.set(new Date(start.getTime() + 400 * DAY));
    expect(await sweep()).toMatchObject({ deactivated: 0 });
    expect(await userRow(ws.user.id)).toMatchObject({ status: 'locked' });
  });

  it('answers never carry the password hash, even when nothing changed', async () => {
    const { tenant, owner } = await workspace();
    const user = await insertUser(app, tenant.id, { email: 'hash@example.test' });
    const member = (await owner.users.get({ id: user.id })).roleId;
    for (const answer of [await owner.users.setRole({ id: user.id, roleId: member }), await owner.users.update({ id: user.id })]) {
      expect(answer).toMatchObject({ id: user.id });
      expect(Object.keys(answer)).not.toContain('passwordHash');
    }
  });

  it('an admin move outside the table is refused with words to act on, and changes nothing', async () => {
    const { tenant, owner } = await workspace();
    const user = await insertUser(app, tenant.id, { email: 'locked@example.test', status: 'locked' });
    const before = await userRow(user.id);
    expect(ADMIN_TRANSITIONS.locked.map((t) => t.to)).not.toContain('suspended');
    expect(await refusal(owner.users.setStatus({ id: user.id, status: 'suspended' }))).toMatchObject({ code: 'BAD_REQUEST', message: 'A locked user cannot be suspended.' });
    expect(await refusal(owner.users.setStatus({ id: user.id, status: 'locked' }))).toMatchObject({ code: 'BAD_REQUEST', message: 'The user is already locked.' });
    expect(await refusal(owner.users.setStatus({ id: user.id, status: 'invited' }))).toMatchObject({ code: 'BAD_REQUEST', message: 'A user cannot be moved back to invited. Reactivate them: they get a new invitation if they never set a password.' });
    for (const reason of ['', '   ', '\u200b', '\u200b \ufeff']) {
      expect(await refusal(owner.users.setStatus({ id: user.id, status: 'banned', reason }))).toMatchObject({
        code: 'BAD_REQUEST',
        message: 'Give a reason for the ban. It is kept with the user.',
      });
    }
    expect(await userRow(user.id)).toEqual(before);
    expect(await app.database.owner('audit_events').where({ targetId: user.id })).toEqual([]);
  });
});
