import { spawn } from 'node:child_process';
import { chmod, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import PgBoss from 'pg-boss';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createDb, WEB_ROLE } from '../db/index';
import { startEmbeddedPostgres } from '../db/embedded';
import { ensureDatabase } from '../db/migrate';
import { migrateLatest } from '../server/jobs/queues-setup';
import { parseEnv } from '../server/shared/env';
import { createJobSender } from '../server/jobs/index';
import { startWorker } from '../worker/worker';
import { createClock, createTestApp, startHttp } from './helpers/app';
import { signupInput } from './helpers/factories';
import { onCleanup } from './setup/cleanup';
import { waitFor } from './helpers/wait';


function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (chunk, _e, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
  return { log, lines };
}

describe('a job that keeps failing', () => {
  it('lands in the dead-letter queue after its retries and is logged with its error', async () => {
    const app = await createTestApp();
    const { log, lines } = capturedLog();
    const worker = await startWorker({ env: app.env, log, pollingIntervalSeconds: 0.5 });
    onCleanup(() => worker.stop());
    // A payload no handler can accept, as a bad deploy or a hand-made job would produce.
    await worker.boss.send('email.send', { to: 'nobody', template: 'no-such-template' }, { retryLimit: 1, retryDelay: 1 });
    const dead = await waitFor('the dead letter', async () => (await app.database.owner('pgboss.job').where({ name: 'email.send.dead' }))[0]);
    expect(dead.data).toEqual({ to: 'nobody', template: 'no-such-template' });
    const failures = lines.filter((l) => l.queue === 'email.send');
    expect(failures.map((l) => l.msg)).toEqual(['job failed; it will be retried', 'job failed for good: moved to its dead-letter queue']);
    expect(JSON.stringify(failures[1].err)).toContain('Invalid');
  });
});

describe('a worker killed with SIGKILL in the middle of a sweep', () => {
  it('finishes the sweep after a restart, with exactly one audit event per deactivation', async () => {
    const app = await createTestApp();
    const owner = app.database.owner;
    const long = new Date('2020-01-01T00:00:00Z');
    for (let t = 0; t < 30; t++) {
      const [tenant] = await owner('tenants').insert({ slug: `sweep-${t}`, name: `Sweep ${t}`, inactivityDays: 30 }).returning('id');
      const [role] = await owner('roles').insert({ tenantId: tenant.id, key: 'member', name: 'Member', audience: 'internal' }).returning('id');
      await owner.raw(
        `insert into users (tenant_id, kind, email, first_name, last_name, display_name, role_id, status, created_at, last_activity_at)
         select ?, 'standard', 'u' || i || '@sweep.test', 'U', 'U', 'U ' || i, ?, 'active', ?, ?
         from generate_series(1, 800) i`,
        [tenant.id, role.id, long, long],
      );
    }
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: app.database.url, NODE_ENV: 'test', LOG_LEVEL: 'silent', JOB_MAINTENANCE_SECONDS: '1', INACTIVITY_CRON: '0 3 1 1 *' };
    const startProcess = (extra: Partial<NodeJS.ProcessEnv> = {}) => spawn(process.execPath, ['--import', 'tsx', 'worker/index.ts'], { env: { ...env, ...extra }, stdio: ['ignore', 'ignore', 'inherit'] });
    const boss = new PgBoss({ connectionString: app.database.url, supervise: false, schedule: false, max: 1 });
    await boss.start();
    onCleanup(() => boss.stop({ graceful: false }));

    // The first worker's sweep stops for good once 5 tenants have committed (and the one in flight
    // beside them): it is killed provably half done, whatever the machine's load.
    const first = startProcess({ TEST_SWEEP_HOLD_AFTER_TENANTS: '5' });
    const jobId = await boss.send('users.deactivate-inactive', {}, { expireInSeconds: 3, retryDelay: 1 });
    const deactivated = () => owner('users').where({ status: 'deactivated' }).count({ n: '*' }).then(([r]) => Number(r.n));
    await waitFor('the sweep to be held after 5 tenants', async () => (await deactivated()) >= 5 * 800, 60_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const partial = await deactivated();
    expect(partial).toBeGreaterThanOrEqual(5 * 800);
    expect(partial).toBeLessThan(24_000);
    // Each tenant commits whole.
    expect(partial % 800).toBe(0);

    const second = startProcess();
    onCleanup(() => new Promise((r) => (second.once('exit', r), second.kill('SIGTERM'))));
    await waitFor('the sweep to finish', async () => (await deactivated()) === 24_000, 90_000);
    const { rows } = await owner.raw(
      `select target_id, count(*)::int as n from audit_events where action = 'user.status_changed' group by target_id having count(*) > 1`,
    );
    expect(rows).toEqual([]);
    expect(await owner('audit_events').where({ action: 'user.status_changed' }).count({ n: '*' })).toEqual([{ n: '24000' }]);
    await waitFor('the job to complete', async () => (await owner('pgboss.job').where({ id: jobId }).first())?.state === 'completed');
  }, 180_000);
});

describe('PostgreSQL going away and coming back', () => {
  it('answers 503 meanwhile, and both processes recover without a restart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seatwise-restart-'));
    await chmod(dir, 0o755);
    let server = await startEmbeddedPostgres({ dir, durable: false });
    onCleanup(() => server.stop());
    const url = await ensureDatabase(server.url, 'restart');
    await migrateLatest(url);
    const env = parseEnv({ NODE_ENV: 'test', DATABASE_URL: url, LOG_LEVEL: 'silent' });
    const deps = { env, db: createDb(url, { role: WEB_ROLE }), ownerDb: createDb(url), jobs: createJobSender(), stripe: null, log: pino({ level: 'silent' }), now: createClock().now };
    onCleanup(async () => {
      await deps.db.destroy();
      await deps.ownerDb.destroy();
    });
    const web = await startHttp(deps);
    const worker = await startWorker({ env, log: pino({ level: 'silent' }), pollingIntervalSeconds: 0.5 });
    onCleanup(() => worker.stop());
    const signup = (input = signupInput()) =>
      fetch(`${web.url}/trpc/auth.signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });

    expect((await signup()).status).toBe(200);
    expect((await fetch(`${web.url}/healthz`)).status).toBe(200);

    await server.stop();
    const down = await fetch(`${web.url}/healthz`);
    expect(down.status).toBe(503);
    const refused = await signup();
    expect(refused.status).toBe(503);
    expect((await refused.json()).error.message).toBe('The database is unavailable. Please try again in a moment.');
    // A worker started while the database is away waits for it instead of exiting.
    const lateLog = capturedLog();
    const late = startWorker({ env, log: lateLog.log, pollingIntervalSeconds: 0.5 });
    await waitFor('the late worker to retry', async () => lateLog.lines.some((l) => l.msg === 'database not reachable yet; retrying'));

    server = await startEmbeddedPostgres({ dir, durable: false, port: server.port });
    const lateWorker = await late;
    onCleanup(() => lateWorker.stop());
    await waitFor('/healthz to answer 200', async () => (await fetch(`${web.url}/healthz`)).status === 200);
    const input = signupInput();
    expect((await signup(input)).status).toBe(200);
    const owner = deps.ownerDb;
    await waitFor('the welcome email of the next sign-up', async () => (await owner('dev_mail').where({ to: input.email }))[0]);
  }, 90_000);
});
