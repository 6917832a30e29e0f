import { beforeAll, describe, expect, it } from 'vitest';
import { runInactivitySweep } from '../server/domain/users/inactivity';
import { createJobSender } from '../server/jobs/index';
import { createTestApp, memoryCookies, startHttp, type TestApp } from './helpers/app';
import { insertUser, signInAgain, signUp } from './helpers/factories';

let app: TestApp;
const DAY = 86_400_000;
const start = new Date('2026-01-01T03:00:00Z');

beforeAll(async () => {
  app = await createTestApp();
});

const sweep = () => runInactivitySweep({ db: app.database.owner, jobs: createJobSender(), now: app.clock.now() });
const userRow = (id: string) => app.database.owner('users').where({ id }).first();
const mails = (tenantId: string, template: string) =>
  app.database.owner('pgboss.job').where({ name: 'email.send' }).whereRaw(`data->>'tenantId' = ? and data->>'template' = ?`, [tenantId, template]).orderBy('createdOn').select('data');

async function workspace() {
  app.clock.set(start);
  const ws = await signUp(app);
  await app.database.owner('seat_pools').where({ tenantId: ws.tenant.id }).update({ included: 10 });
  await app.database.owner('tenants').where({ id: ws.tenant.id }).update({ inactivityDays: 30, inactivityWarningDays: 7 });
  const password = 'a good long password';
  const make = async (email: string, extra: Parameters<typeof insertUser>[2] = { email }) => {
    const user = await insertUser(app, ws.tenant.id, { ...extra, email, password: extra.kind === 'api' ? null : password });
    await app.database.owner('users').where({ id: user.id }).update({ createdAt: start, lastActivityAt: start });
    return user;
  };
  return { ...ws, make, password };
}

describe('the inactivity sweep (fake clock)', () => {
  it('does nothing on day 29, deactivates on day 30 with everything that goes with it, and a second run changes nothing', async () => {
    const ws = await workspace();
    const { tenant, make, password } = ws;
    let owner = ws.owner;
    const idle = await make('idle@example.test');
    const cookies = memoryCookies();
    await (await app.caller(cookies)).auth.login({ workspace: tenant.slug, email: idle.email, password });
    await app.database.owner('users').where({ id: idle.id }).update({ lastActivityAt: start, lastSignInAt: start });
    const bot = await make('bot@example.test', { email: 'bot@example.test', kind: 'api' });
    await app.database.owner('seat_pools').where({ tenantId: tenant.id, seatType: 'api' }).update({ included: 1 });
    const owner2 = await owner.apiKeys.create({ userId: bot.id, name: 'k' });
    expect(owner2.key).toMatch(/^swk_/);
    // The Owner signed up on `start` too: as the only active Owner it is never swept.

    app.clock.set(new Date(start.getTime() + 29 * DAY));
    expect(await sweep()).toMatchObject({ deactivated: 0 });
    expect((await userRow(idle.id))!.status).toBe('active');

    app.clock.set(new Date(start.getTime() + 30 * DAY + 1000));
    owner = await signInAgain(app, ws);
    const before = (await owner.seats.summary()).standard.used;
    expect((await sweep()).deactivated).toBe(2);
    expect(await userRow(idle.id)).toMatchObject({ status: 'deactivated', statusReason: 'Inactive for 30 days' });
    expect((await owner.seats.summary()).standard.used).toBe(before - 1);
    const audit = await app.database.owner('audit_events').where({ targetId: idle.id, action: 'user.status_changed' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorType: 'worker', before: { status: 'active' }, after: { status: 'deactivated', reason: 'Inactive for 30 days' } });
    expect(await app.database.owner('sessions').where({ userId: idle.id })).toEqual([]);
    expect((await app.database.owner('api_keys').where({ userId: bot.id }).first())!.revokedAt).toEqual(app.clock.now());
    expect(await app.database.owner('audit_events').where({ targetId: bot.id, action: 'api_key.revoked' })).toHaveLength(1);
    expect((await userRow(owner2.userId))!.status).toBe('deactivated');
    const [summary] = await mails(tenant.id, 'inactivity-summary');
    expect(summary.data.data.users.map((u: { email: string }) => u.email).sort()).toEqual(['bot@example.test', 'idle@example.test']);
    const owners = await app.database.owner('users').where({ tenantId: tenant.id, kind: 'standard', status: 'active' });
    expect(owners).toHaveLength(1);

    expect(await sweep()).toMatchObject({ deactivated: 0, warned: 0 });
    expect(await app.database.owner('audit_events').where({ targetId: idle.id, action: 'user.status_changed' })).toHaveLength(1);
    expect(await mails(tenant.id, 'inactivity-summary')).toHaveLength(1);
  });

  it('warns exactly once, on the right day, with the date', async () => {
    const { tenant, make } = await workspace();
    const user = await make('soon@example.test');
    app.clock.set(new Date(start.getTime() + 22 * DAY));
    await sweep();
    expect(await mails(tenant.id, 'inactivity-warning')).toHaveLength(0);
    app.clock.set(new Date(start.getTime() + 23 * DAY + 1000));
    await sweep();
    await sweep();
    const warnings = (await mails(tenant.id, 'inactivity-warning')).filter((m) => m.data.to === user.email);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].data.data).toMatchObject({ deactivateAt: '2026-01-31T03:00:00.000Z', days: 30 });
    app.clock.set(new Date(start.getTime() + 25 * DAY));
    await sweep();
    expect((await mails(tenant.id, 'inactivity-warning')).filter((m) => m.data.to === user.email)).toHaveLength(1);
  });

  it('keeps an API user whose key is used, the last Owner, and exempt users', async () => {
    const { tenant, owner, make } = await workspace();
    await app.database.owner('seat_pools').where({ tenantId: tenant.id, seatType: 'api' }).update({ included: 1 });
    const bot = await make('busy-bot@example.test', { email: 'busy-bot@example.test', kind: 'api' });
    const { key } = await owner.apiKeys.create({ userId: bot.id, name: 'k' });
    const exempt = await make('break-glass@example.test');
    await owner.users.update({ id: exempt.id, exemptFromInactivity: true });
    const { url } = await startHttp(app.deps);
    app.clock.set(new Date(start.getTime() + 20 * DAY));
    expect((await fetch(`${url}/trpc/seats.summary`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);

    app.clock.set(new Date(start.getTime() + 45 * DAY));
    await sweep();
    expect((await userRow(bot.id))!.status).toBe('active');
    expect((await userRow(exempt.id))!.status).toBe('active');
    const me = await app.database.owner('users').where({ tenantId: tenant.id }).whereNot({ id: bot.id }).whereNot({ id: exempt.id });
    expect(me.map((u) => u.status)).toEqual(['active']);
  });

  it('is off with inactivityDays 0, and the preview lists who would go and who will be warned', async () => {
    const ws = await workspace();
    const { tenant, make } = ws;
    const stale = await make('stale@example.test');
    const soon = await make('soon2@example.test');
    await app.database.owner('users').where({ id: soon.id }).update({ lastActivityAt: new Date(start.getTime() + 10 * DAY) });
    app.clock.set(new Date(start.getTime() + 35 * DAY));
    const owner = await signInAgain(app, ws);
    const preview = await owner.users.inactivityPreview({});
    expect(preview.deactivate.map((u) => u.email)).toEqual(['stale@example.test']);
    expect(preview.warn.map((u) => u.email)).toEqual(['soon2@example.test']);
    expect((await owner.users.inactivityPreview({ inactivityDays: 90 })).deactivate).toEqual([]);

    await owner.tenant.updateSettings({ inactivityDays: 0 });
    await sweep();
    expect((await userRow(stale.id))!.status).toBe('active');
    expect(tenant.id).toBeTruthy();
  });
});

describe('seat threshold emails', () => {
  it('one email per crossing of 80 % and 100 %, none while staying above, another after dropping and crossing again', async () => {
    app.clock.set(start);
    const { owner, tenant } = await signUp(app);
    await app.database.owner('seat_pools').where({ tenantId: tenant.id, seatType: 'standard' }).update({ included: 5 });
    const create = (n: number) => owner.users.create({ kind: 'standard', email: `t${n}@example.test`, firstName: 'T', lastName: String(n) });
    const sent = async () => (await mails(tenant.id, 'seat-threshold')).map((m) => m.data.data.percent);
    await create(1);
    await create(2);
    expect(await sent()).toEqual([]);
    const fourth = await create(3);
    expect(await sent()).toEqual([80]);
    await create(4);
    expect(await sent()).toEqual([80, 100]);
    await owner.users.setStatus({ id: fourth.id, status: 'deactivated' });
    await owner.users.setStatus({ id: (await create(5)).id, status: 'deactivated' }).catch(() => undefined);
    expect(await sent()).toEqual([80, 100, 100]);
  });
});
