import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/index';
import { historyPoints, MAX_HISTORY_POINTS, SEAT_HISTORY_INTERVALS } from '../server/contract/seat-history';
import { migrationSource } from '../db/migrations/index';
import { issueOneTimeToken } from '../server/domain/auth/one-time-tokens';
import { runInactivitySweep } from '../server/domain/users/inactivity';
import { createJobSender } from '../server/jobs/index';
import { createTestApp, memoryCookies, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { signInAgain, signUp } from './helpers/factories';

let app: TestApp;
const DAY = 86_400_000;
const start = new Date('2026-05-01T10:00:00Z');
const day = (n: number, hours = 0) => new Date(start.getTime() + n * DAY + hours * 3_600_000);

beforeAll(async () => {
  app = await createTestApp();
});

const ledger = (userId: string) =>
  app.database.owner('seat_holding_changes').where({ userId }).orderBy('id').select('holds', 'seatType', 'actorType', 'reason', 'createdAt');

async function workspace() {
  app.clock.set(start);
  const ws = await signUp(app);
  await app.database.owner('seat_pools').where({ tenantId: ws.tenant.id }).update({ included: 10 });
  return ws;
}

const person = (email: string) => ({ kind: 'standard' as const, email, firstName: email.split('@')[0], lastName: 'Test' });

describe('the seat ledger (SPEC "Seat history")', () => {
  it('every path that changes holding writes exactly one row, and none writes one when holding stays', async () => {
    const ws = await workspace();
    const { owner, tenant } = ws;
    expect(await ledger(ws.user.id)).toEqual([{ holds: true, seatType: 'standard', actorType: 'user', reason: 'created', createdAt: start }]);

    const grace = await owner.users.create(person('grace@example.test'));
    const bot = await owner.users.create({ kind: 'api', email: 'bot@example.test', firstName: 'Build', lastName: 'Bot' });
    expect(await ledger(grace.id)).toMatchObject([{ holds: true, seatType: 'standard', reason: 'created' }]);
    expect(await ledger(bot.id)).toMatchObject([{ holds: true, seatType: 'api', reason: 'created' }]);

    // The invitation accepted: invited → active, both hold a seat.
    const token = await app.database.owner.transaction((trx) => issueOneTimeToken({ trx, tenantId: tenant.id, userId: grace.id, purpose: 'invitation', now: app.clock.now() }));
    await (await app.caller(memoryCookies())).auth.acceptInvite({ token, password: 'grace has a long password' });
    // Wrong passwords until locked: active → locked, both hold a seat.
    await app.database.owner('tenants').where({ id: tenant.id }).update({ lockoutThreshold: 2 });
    for (let i = 0; i < 2; i++) {
      await (await app.caller(memoryCookies())).auth.login({ workspace: tenant.slug, email: grace.email, password: 'not the password' }).catch(() => null);
    }
    expect((await app.database.owner('users').where({ id: grace.id }).first())!.status).toBe('locked');
    expect(await ledger(grace.id)).toHaveLength(1);

    app.clock.set(day(1));
    const admin = await signInAgain(app, ws);
    await admin.users.setStatus({ id: grace.id, status: 'deactivated' });
    expect(await ledger(grace.id)).toMatchObject([{ holds: true }, { holds: false, actorType: 'user', reason: 'deactivated', createdAt: day(1) }]);
    await admin.users.setStatus({ id: grace.id, status: 'banned', reason: 'Left the company' });
    expect(await ledger(grace.id)).toHaveLength(2);
    app.clock.set(day(2));
    const again = await signInAgain(app, ws);
    await again.users.setStatus({ id: grace.id, status: 'active' });
    expect(await ledger(grace.id)).toMatchObject([{ holds: true }, { holds: false }, { holds: true, reason: 'reactivated as active', createdAt: day(2) }]);
    await again.users.setStatus({ id: grace.id, status: 'suspended', reason: 'Security review' });
    expect(await ledger(grace.id)).toHaveLength(3);

    // The sweep takes the seats of everyone away too long, suspended or not.
    await app.database.owner('tenants').where({ id: tenant.id }).update({ inactivityDays: 30 });
    await app.database.owner('users').where({ id: grace.id }).update({ lastActivityAt: start });
    await app.database.owner('users').where({ id: bot.id }).update({ lastActivityAt: start });
    app.clock.set(day(40));
    await signInAgain(app, ws);
    expect(await runInactivitySweep({ db: app.database.owner, jobs: createJobSender(), now: app.clock.now() })).toMatchObject({ deactivated: 2 });
    expect((await ledger(grace.id)).at(-1)).toEqual({ holds: false, seatType: 'standard', actorType: 'worker', reason: 'deactivated: Inactive for 30 days', createdAt: day(40) });
    expect(await ledger(bot.id)).toMatchObject([{ holds: true }, { holds: false, seatType: 'api', actorType: 'worker' }]);
    expect(await ledger(ws.user.id)).toHaveLength(1);

    // The ledger and the users table agree on what is held now.
    const held = await app.database
      .owner('seat_holding_changes')
      .where({ tenantId: tenant.id, seatType: 'standard' })
      .first<{ n: number }>(app.database.owner.raw('sum(case when holds then 1 else -1 end)::int as n'));
    expect(held.n).toBe((await (await signInAgain(app, ws)).seats.summary()).standard.used);
  });

  it('names who held a seat at any past instant, and since when', async () => {
    const ws = await workspace();
    app.clock.set(day(1));
    const ada = await (await signInAgain(app, ws)).users.create(person('ada@example.test'));
    app.clock.set(day(3));
    const admin = await signInAgain(app, ws);
    const bob = await admin.users.create(person('bob@example.test'));
    app.clock.set(day(5));
    await (await signInAgain(app, ws)).users.setStatus({ id: ada.id, status: 'deactivated' });
    app.clock.set(day(7));
    const later = await signInAgain(app, ws);
    await later.users.setStatus({ id: ada.id, status: 'active' });

    const holders = async (at: Date) =>
      (await later.seats.holders({ seatType: 'standard', at: at.toISOString() })).map((h) => `${h.email} since ${h.since.toISOString().slice(0, 10)}`);
    const own = `${ws.input.email} since 2026-05-01`;
    expect(await holders(day(0, 1))).toEqual([own]);
    expect(await holders(day(1, -1))).toEqual([own]);
    expect(await holders(day(1))).toEqual(['ada@example.test since 2026-05-02', own].sort(byName));
    expect(await holders(day(4))).toEqual(['ada@example.test since 2026-05-02', 'bob@example.test since 2026-05-04', own].sort(byName));
    expect(await holders(day(6))).toEqual(['bob@example.test since 2026-05-04', own].sort(byName));
    expect(await holders(day(8))).toEqual(['ada@example.test since 2026-05-08', 'bob@example.test since 2026-05-04', own].sort(byName));
    expect(await later.seats.holders({ seatType: 'client', at: day(8).toISOString() })).toEqual([]);
    expect((await later.seats.holders({ seatType: 'standard', at: day(8).toISOString() })).map((h) => h.id)).toContain(bob.id);
  });

  it('gives used against purchased at the end of each day, through a purchase and a cancellation', async () => {
    const ws = await workspace();
    const { tenant } = ws;
    app.clock.set(day(1));
    const ada = await (await signInAgain(app, ws)).users.create(person('ada@example.test'));
    app.clock.set(day(3));
    const admin = await signInAgain(app, ws);
    await admin.users.create(person('bob@example.test'));
    app.clock.set(day(4));
    const later = await signInAgain(app, ws);
    await later.users.setStatus({ id: ada.id, status: 'deactivated' });
    // What billing writes when Stripe reports a purchase of 5 more, then its cancellation.
    await app.database.owner('seat_ledger').insert([
      { tenantId: tenant.id, seatType: 'standard', purchasedBefore: 10, purchasedAfter: 15, reason: 'customer.subscription.created', createdAt: day(2) },
      { tenantId: tenant.id, seatType: 'standard', purchasedBefore: 15, purchasedAfter: 10, reason: 'customer.subscription.deleted', createdAt: day(4, 2) },
    ]);

    const history = await later.seats.history({ from: day(0).toISOString(), to: day(5).toISOString(), interval: 'day' });
    const ends = (n: number) => new Date(Date.UTC(2026, 4, 2 + n));
    expect(history.standard).toEqual([
      { at: ends(0), purchased: 10, used: 1 },
      { at: ends(1), purchased: 10, used: 2 },
      { at: ends(2), purchased: 15, used: 2 },
      { at: ends(3), purchased: 15, used: 3 },
      { at: ends(4), purchased: 10, used: 2 },
      { at: day(5), purchased: 10, used: 2 },
    ]);
    expect(history.api.map((p) => p.used)).toEqual([0, 0, 0, 0, 0, 0]);

    // A range inside one day is one point, the state at its end.
    expect((await later.seats.history({ from: day(3, 1).toISOString(), to: day(3, 2).toISOString(), interval: 'day' })).standard).toEqual([
      { at: day(3, 2), purchased: 15, used: 3 },
    ]);

    const monthly = await later.seats.history({ from: day(0).toISOString(), to: day(40).toISOString(), interval: 'month' });
    expect(monthly.standard).toEqual([
      { at: new Date(Date.UTC(2026, 5, 1)), purchased: 10, used: 2 },
      { at: day(40), purchased: 10, used: 2 },
    ]);
  });

  it('refuses a range it cannot draw, with the field and a message to act on', async () => {
    const { owner } = await workspace();
    const bad = async (input: unknown) => {
      const r = await refusal(owner.seats.history(input as never));
      return { code: r.code, fieldErrors: r.fieldErrors };
    };
    expect(await bad({ from: day(5).toISOString(), to: day(1).toISOString(), interval: 'day' })).toEqual({ code: 'BAD_REQUEST', fieldErrors: { from: ['Choose a start before the end'] } });
    expect(await bad({ from: day(0).toISOString(), to: day(1).toISOString(), interval: 'year' })).toEqual({ code: 'BAD_REQUEST', fieldErrors: { interval: ['Choose day, week or month'] } });
    expect(await bad({ from: day(0).toISOString(), to: day(400).toISOString(), interval: 'day' })).toEqual({
      code: 'BAD_REQUEST',
      fieldErrors: { interval: ['This range has more than 400 points by day: choose a longer interval or a shorter range'] },
    });
    expect((await owner.seats.history({ from: day(0).toISOString(), to: day(399).toISOString(), interval: 'day' })).standard).toHaveLength(400);
    const holders = await refusal(owner.seats.holders({ seatType: 'seats', at: 'yesterday' } as never));
    expect(holders.code).toBe('BAD_REQUEST');
    expect(Object.keys(holders.fieldErrors).sort()).toEqual(['at', 'seatType']);
  });

  it('counts the points of any range as the statement returns them, so exactly 400 pass and 401 do not (fast-check)', async () => {
    const { owner } = await workspace();
    const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }).map((t) => (t % 7 === 0 ? Math.floor(t / DAY) * DAY : t));
    await fc.assert(
      fc.asyncProperty(instant, instant, fc.constantFrom(...SEAT_HISTORY_INTERVALS), async (a, b, interval) => {
        const [from, to] = [new Date(Math.min(a, b)), new Date(Math.max(a, b))];
        const expected = historyPoints(from, to, interval);
        const call = owner.seats.history({ from: from.toISOString(), to: to.toISOString(), interval });
        if (expected > MAX_HISTORY_POINTS) expect((await refusal(call)).code).toBe('BAD_REQUEST');
        else expect((await call).standard).toHaveLength(expected);
      }),
      { numRuns: 40 },
    );
    const edge = async (to: string) => (await owner.seats.history({ from: '2026-01-05T00:00:00Z', to, interval: 'week' }).then((h) => h.standard.length, () => 'refused'));
    expect(await edge('2033-09-04T23:59:59Z')).toBe(400);
    expect(await edge('2033-09-05T00:00:01Z')).toBe('refused');
  });

  it('refuses instants JavaScript and PostgreSQL would read differently', async () => {
    const { owner } = await workspace();
    for (const at of ['2026-05-01T09:59:59.9999996Z', '2026-05-01T00:30:00+23:59', '9999-12-31T23:59:59.9999999Z']) {
      const r = await refusal(owner.seats.holders({ seatType: 'standard', at }));
      expect(r.fieldErrors.at, at).toEqual(['Use at most three decimals of a second and an offset between -14:00 and +14:00']);
    }
    expect(await owner.seats.holders({ seatType: 'standard', at: '2026-05-01T23:00:00.123+04:00' })).toHaveLength(1);
  });

  it('the migration rebuilds the same ledger from users and the audit log', async () => {
    const ws = await workspace();
    app.clock.set(day(1));
    const ada = await (await signInAgain(app, ws)).users.create(person('ada@example.test'));
    app.clock.set(day(2));
    await (await signInAgain(app, ws)).users.setStatus({ id: ada.id, status: 'banned', reason: 'Fraud' });
    app.clock.set(day(3));
    await (await signInAgain(app, ws)).users.setStatus({ id: ada.id, status: 'active' });
    const rows = () =>
      app.database.owner('seat_holding_changes').where({ tenantId: ws.tenant.id }).orderBy(['createdAt', 'userId']).select('userId', 'seatType', 'holds', 'createdAt');
    const written = await rows();
    expect(written).toHaveLength(4);

    // Down and up again: this one migration, with the rows the app wrote gone, then backfilled.
    // Its own connection: knex's migrator changes the identifier mappers of the instance it runs on.
    const migrator = createDb(app.database.url, { max: 1 });
    try {
      await migrator.migrate.down({ migrationSource, name: '20261201010000_seat_holding_changes' });
      expect(await migrator.raw(`select to_regclass('seat_holding_changes') as t`)).toMatchObject({ rows: [{ t: null }] });
      await migrator.migrate.latest({ migrationSource });
    } finally {
      await migrator.destroy();
    }
    expect(await rows()).toEqual(written);
  });

  it("shows a tenant only its own seats", async () => {
    const a = await workspace();
    const aUser = await a.owner.users.create(person('only-a@example.test'));
    const b = await workspace();
    const at = day(1).toISOString();
    const bHolders = await b.owner.seats.holders({ seatType: 'standard', at });
    expect(bHolders.map((h) => h.email)).toEqual([b.input.email]);
    expect(bHolders.map((h) => h.id)).not.toContain(aUser.id);
    const history = await b.owner.seats.history({ from: day(0).toISOString(), to: day(1).toISOString(), interval: 'day' });
    expect(history.standard.map((p) => p.used)).toEqual([1, 1]);
  });
});

function byName(x: string, y: string) {
  return x.localeCompare(y);
}
