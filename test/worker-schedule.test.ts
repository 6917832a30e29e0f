import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATCH_UP_SECONDS, slotAt, slotJobId } from '../worker/schedule';
import { startWorker } from '../worker/worker';
import { createTestApp, type TestApp } from './helpers/app';
import { waitFor } from './helpers/wait';
import { onCleanup } from './setup/cleanup';

/**
 * SPEC §6: at most one inactivity sweep per scheduled time across all worker instances, however
 * loaded, and never two at once. The rule is tested directly: the schedule's clock is the test's,
 * so no test waits for a real minute to pass.
 */
const QUEUE = 'users.deactivate-inactive';
const at = (iso: string, plusMs = 0) => new Date(new Date(iso).getTime() + plusMs);

describe('scheduled times', () => {
  it('a tick belongs to the latest time the cron names at or before it', () => {
    expect(slotAt('0 3 * * *', at('2030-06-01T03:00:00Z'))).toEqual(at('2030-06-01T03:00:00Z'));
    expect(slotAt('0 3 * * *', at('2030-06-01T03:04:59.999Z'))).toEqual(at('2030-06-01T03:00:00Z'));
    expect(slotAt('0 3 * * *', at('2030-06-01T02:59:59.999Z'))).toEqual(at('2030-05-31T03:00:00Z'));
    expect(slotAt('*/5 * * * *', at('2030-06-01T10:07:00Z'))).toEqual(at('2030-06-01T10:05:00Z'));
  });

  it('names one job per queue and scheduled time, the same on every instance', () => {
    const id = slotJobId(QUEUE, at('2030-06-01T03:00:00Z'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(slotJobId(QUEUE, at('2030-06-01T03:00:00Z'))).toBe(id);
    expect(slotJobId(QUEUE, at('2030-06-02T03:00:00Z'))).not.toBe(id);
    expect(slotJobId('other.queue', at('2030-06-01T03:00:00Z'))).not.toBe(id);
  });
});

describe('the inactivity schedule across three worker instances', () => {
  let app: TestApp;
  let workers: Awaited<ReturnType<typeof startWorker>>[];
  /** Sweeps run so far (each passes the hook once per tenant), and a gate that holds them. */
  let tenantsSwept = 0;
  let tenantsWithSweep = 0;
  let gate: Promise<void> | null = null;
  const runs = () => tenantsSwept / tenantsWithSweep;
  const job = (slot: Date) => app.database.owner('pgboss.job').where({ name: QUEUE, id: slotJobId(QUEUE, slot) }).first();
  const jobs = () => app.database.owner('pgboss.job').where({ name: QUEUE }).orderBy('startedOn');
  const completed = (slot: Date) => waitFor(`the sweep of ${slot.toISOString()} to complete`, async () => (await job(slot))?.state === 'completed' && job(slot));
  const tickEverywhere = (times: Date[]) => Promise.all(workers.flatMap((w) => times.map((t) => w.schedule.tick(t))));

  beforeAll(async () => {
    app = await createTestApp({ INACTIVITY_CRON: '0 3 * * *' });
    await app.database.owner('tenants').insert({ slug: 'scheduled', name: 'Scheduled', inactivityDays: 30 });
    tenantsWithSweep = Number((await app.database.owner('tenants').where('inactivityDays', '>', 0).count({ n: '*' }))[0].n);
    const log = pino({ level: 'silent' });
    const afterSweepTenant = async () => {
      tenantsSwept += 1;
      await gate;
    };
    // No timers: the test ticks each instance with the time it chooses.
    workers = await Promise.all([0, 1, 2].map(() => startWorker({ env: app.env, log, pollingIntervalSeconds: 0.2, scheduleTickSeconds: 0, afterSweepTenant })));
    onCleanup(() => Promise.all(workers.map((w) => w.stop())));
  });

  it('every instance ticking, many times, within the same scheduled time: one job, one run', async () => {
    const slot = at('2030-06-01T03:00:00Z');
    const ticks = [0, 1, 20_000, 60_000, 299_000].map((ms) => at('2030-06-01T03:00:00Z', ms));
    const results = await tickEverywhere(ticks);
    expect(results).toHaveLength(15);
    expect(results.filter((r) => r?.sent)).toHaveLength(1);
    expect(new Set(results.map((r) => r?.slot.toISOString()))).toEqual(new Set([slot.toISOString()]));
    await completed(slot);
    expect(runs()).toBe(1);

    // Once the run is over, the same scheduled time still names the same job: no second run.
    expect((await tickEverywhere([at('2030-06-01T03:04:00Z')])).map((r) => r?.sent)).toEqual([false, false, false]);
    // Past the catch-up window a tick sends nothing at all.
    expect(await workers[0].schedule.tick(at('2030-06-01T03:00:00Z', CATCH_UP_SECONDS * 1000 + 1))).toBeNull();
    await workers[0].schedule.tick(at('2030-06-01T12:00:00Z'));
    expect(await jobs()).toHaveLength(1);
    expect(runs()).toBe(1);
  });

  it('each scheduled time gets its own job and its own run, one after the other', async () => {
    const before = runs();
    const days = [at('2030-06-02T03:00:00Z'), at('2030-06-03T03:00:00Z')];
    const results = await tickEverywhere(days.flatMap((d) => [at(d.toISOString(), 5_000), at(d.toISOString(), 90_000)]));
    expect(results.filter((r) => r?.sent).map((r) => r!.slot)).toEqual(expect.arrayContaining(days));
    expect(results.filter((r) => r?.sent)).toHaveLength(2);
    const [first, second] = await Promise.all(days.map(completed));
    expect(runs()).toBe(before + 2);
    const [a, b] = [first, second].sort((x, y) => x.startedOn - y.startedOn);
    expect(b.startedOn.getTime()).toBeGreaterThanOrEqual(a.completedOn.getTime());
  });

  it('a sweep still running when the next time comes: the next one waits for it, then runs once', async () => {
    const before = runs();
    let release!: () => void;
    gate = new Promise<void>((resolve) => (release = resolve));
    const [slowSlot, nextSlot] = [at('2030-06-04T03:00:00Z'), at('2030-06-05T03:00:00Z')];
    await tickEverywhere([at('2030-06-04T03:00:30Z')]);
    await waitFor('the sweep to be held mid-run', async () => tenantsSwept > before * tenantsWithSweep && (await job(slowSlot))?.state === 'active');

    await tickEverywhere([at('2030-06-05T03:00:30Z')]);
    // Both idle instances look at the queue twice after the next job exists: it is there to take,
    // and the queue's singleton policy leaves it waiting.
    const polls = workers.map((w) => w.polls(QUEUE));
    await waitFor('the idle instances to poll twice', async () => workers.filter((w, i) => w.polls(QUEUE) >= polls[i] + 2).length >= 2);
    expect((await job(nextSlot)).state).toBe('created');
    expect((await job(slowSlot)).state).toBe('active');

    gate = null;
    release();
    const [slow, next] = [await completed(slowSlot), await completed(nextSlot)];
    expect(next.startedOn.getTime()).toBeGreaterThanOrEqual(slow.completedOn.getTime());
    expect(runs()).toBe(before + 2);
    // Never two at once, over every run of this file.
    const all = await jobs();
    for (let i = 1; i < all.length; i++) expect(all[i].startedOn.getTime()).toBeGreaterThanOrEqual(all[i - 1].completedOn.getTime());
  });

  it("an instance's own timer sends the job of a scheduled time as it comes", async () => {
    let now = at('2030-06-06T12:00:00Z');
    const ticking = await startWorker({ env: app.env, log: pino({ level: 'silent' }), pollingIntervalSeconds: 0.2, scheduleClock: () => now, scheduleTickSeconds: 0.1 });
    onCleanup(() => ticking.stop());
    const slot = at('2030-06-07T03:00:00Z');
    now = at('2030-06-07T03:00:01Z');
    const done = await completed(slot);
    expect(done.data).toEqual({ scheduledFor: slot.toISOString() });
    expect(await app.database.owner('pgboss.job').where({ name: QUEUE }).whereRaw(`data->>'scheduledFor' = ?`, [slot.toISOString()])).toHaveLength(1);
  });
});
