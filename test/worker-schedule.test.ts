import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startWorker } from '../worker/worker';
import { createTestApp } from './helpers/app';
import { onCleanup } from './setup/cleanup';

/**
 * Real time: pg-boss schedules by the minute. Runs alongside the other files, so it adds about
 * five minutes to the suite's wall time, not to its work.
 */
describe('the inactivity schedule across three worker instances', () => {
  it('runs once a minute for five minutes, never twice at once', async () => {
    const app = await createTestApp({ INACTIVITY_CRON: '* * * * *' });
    const log = pino({ level: 'silent' });
    const workers = await Promise.all([0, 1, 2].map(() => startWorker({ env: app.env, log, pollingIntervalSeconds: 1 })));
    onCleanup(() => Promise.all(workers.map((w) => w.stop())));
    // At start pg-boss may still send the tick of the minute just past (within pg-boss's cron
    // monitor interval of 30 s and cron worker interval of 5 s): count from the minute after that.
    const firstMinute = new Date(Math.ceil((Date.now() + 45_000) / 60_000) * 60_000);
    const windowEnd = new Date(firstMinute.getTime() + 5 * 60_000);
    await new Promise((r) => setTimeout(r, windowEnd.getTime() - Date.now() + 15_000));

    const runs = await app.database.owner('pgboss.job')
      .where({ name: 'users.deactivate-inactive' })
      .where('createdOn', '>=', firstMinute)
      .where('createdOn', '<', windowEnd)
      .orderBy('startedOn')
      .select('state', 'startedOn', 'completedOn');
    expect(runs).toHaveLength(5);
    expect(runs.every((r) => r.state === 'completed')).toBe(true);
    for (let i = 1; i < runs.length; i++) expect(runs[i].startedOn.getTime()).toBeGreaterThanOrEqual(runs[i - 1].completedOn.getTime());
  }, 9 * 60_000);
});
