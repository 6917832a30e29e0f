import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, symlink, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freePort } from '../db/embedded';
import { signupInput } from './helpers/factories';
import { createTestDatabase } from './helpers/db';
import { waitFor } from './helpers/wait';
import { onCleanup } from './setup/cleanup';

/**
 * Issue #13, findings 5 and 6: a dead child is restarted while the other keeps serving, and a
 * SIGTERM lets every request already in flight finish before the pools and PostgreSQL stop.
 * Requests are held in flight deterministically: each waits for a row lock the test holds.
 */

type Proc = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** The child's output goes to a file, read on demand: a pipe the test is slow to drain would block it. */
function run(command: string[], { env, cwd }: { env: Record<string, string>; cwd?: string }): Proc {
  const log = path.join(os.tmpdir(), `seatwise-proc-${process.pid}-${Math.random().toString(36).slice(2)}.log`);
  const fd = openSync(log, 'w');
  const child = spawn(process.execPath, command, { cwd, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', NODE_ENV: 'test', ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  onCleanup(() => rm(log, { force: true }));
  const output = () => readFileSync(log, 'utf8');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, output, exited };
}

async function signUpOverHttp(url: string) {
  const input = signupInput();
  const response = await fetch(`${url}/trpc/auth.signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
  expect(response.status).toBe(200);
  const { result } = await response.json();
  return { input, tenantId: result.data.tenant.id as string, cookie: response.headers.get('set-cookie')!.split(';')[0] };
}

/**
 * Fifteen users.create requests, each stuck on the seat row lock `holder` holds, counted as
 * waiting by PostgreSQL itself before the caller goes on.
 */
async function fifteenInFlight(url: string, holder: pg.Client, database: string, watchUrl: string) {
  const ws = await signUpOverHttp(url);
  await holder.query('begin');
  await holder.query(`select 1 from seat_pools where tenant_id = $1 and seat_type = 'standard' for update`, [ws.tenantId]);
  const requests = Array.from({ length: 15 }, (_, i) =>
    fetch(`${url}/trpc/users.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: ws.cookie, origin: url },
      body: JSON.stringify({ kind: 'standard', email: `in-flight-${i}@drain.test`, firstName: 'In', lastName: `Flight ${i}` }),
    }).then(
      async (r) => ({ status: r.status, email: (await r.json()).result?.data?.email as string | undefined }),
      (error: Error) => ({ status: 0, email: String(error.cause ?? error) }),
    ),
  );
  // Watched from a connection of its own: inside the holder's transaction, PostgreSQL would keep
  // showing the activity snapshot taken at its first look.
  const watcher = new pg.Client({ connectionString: watchUrl });
  await watcher.connect();
  try {
    await waitFor('15 requests waiting on the seat lock', async () => {
      const { rows } = await watcher.query(`select count(*)::int as n from pg_stat_activity where datname = $1 and wait_event_type = 'Lock'`, [database]);
      return rows[0].n === 15;
    });
  } finally {
    await watcher.end();
  }
  return { requests, release: () => holder.query('commit') };
}

describe('the web process on SIGTERM (as Fly stops it)', () => {
  it('stops accepting, answers all 15 requests in flight, then exits 0', async () => {
    const database = await createTestDatabase();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const web = run(['--import', 'tsx', 'server/index.ts'], {
      env: { DATABASE_URL: database.url, PORT: String(port), APP_URL: url, LOG_LEVEL: 'info', WEB_POOL_SIZE: '20', INCLUDED_SEATS_STANDARD: '20', SIGNUP_RATE_LIMIT: '100' },
    });
    await waitFor('the web process to listen', async () => web.output().includes('web listening'));
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    onCleanup(() => holder.end());

    const { requests, release } = await fifteenInFlight(url, holder, database.name, database.url);
    web.child.kill('SIGTERM');
    await waitFor('the web process to stop accepting', async () => (await fetch(`${url}/healthz`).then(() => false, () => true)));
    expect(web.child.exitCode).toBeNull();
    await release();

    const answers = await Promise.all(requests);
    expect(answers.map((a) => a.status)).toEqual(Array(15).fill(200));
    expect(answers.map((a) => a.email).sort()).toEqual(Array.from({ length: 15 }, (_, i) => `in-flight-${i}@drain.test`).sort());
    expect(await web.exited).toBe(0);
    expect(web.output()).toContain('web stopped');
    const { rows } = await holder.query(`select count(*)::int as n from users where email like 'in-flight-%'`);
    expect(rows[0].n).toBe(15);
  }, 120_000);
});

describe('npm start (scripts/start.ts) with the embedded PostgreSQL', () => {
  it('restarts a killed worker while the web keeps serving, delivers what was queued meanwhile, and on SIGTERM stops PostgreSQL last', async () => {
    // A copy of the project in a folder of its own: its build, lock file and .data/ stay there.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seatwise-start-'));
    await chmod(dir, 0o755);
    onCleanup(() => rm(dir, { recursive: true, force: true }));
    for (const entry of ['app', 'server', 'db', 'worker', 'scripts', 'package.json', 'remix.config.js', 'tsconfig.json']) {
      await cp(path.resolve(entry), path.join(dir, entry), { recursive: true });
    }
    await cp(path.resolve('public'), path.join(dir, 'public'), { recursive: true, filter: (source) => !source.includes(`${path.sep}build`) });
    await symlink(path.resolve('node_modules'), path.join(dir, 'node_modules'));

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const { DATABASE_URL: _unset, ...inherited } = process.env;
    const start = run(['--import', 'tsx', 'scripts/start.ts'], {
      cwd: dir,
      env: { ...inherited, NODE_ENV: 'development', PORT: String(port), APP_URL: url, LOG_LEVEL: 'info', WEB_POOL_SIZE: '20', INCLUDED_SEATS_STANDARD: '20' } as Record<string, string>,
    });
    await waitFor('npm start to be ready', async () => start.output().includes('Seatwise is running at'), 120_000);

    // Kill -9 the worker: the web keeps answering, the supervisor says what it does.
    const workerPid = Number(/"pid":(\d+)[^\n]*"name":"worker"[^\n]*"msg":"worker started"/.exec(start.output())?.[1]);
    expect(workerPid).toBeGreaterThan(0);
    process.kill(workerPid, 'SIGKILL');
    await waitFor('the restart notice', async () => start.output().includes('[seatwise] the worker process was killed by SIGKILL; restarting it in 1 s.'));
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ws = await signUpOverHttp(url);
    await waitFor('the worker to be back', async () => start.output().includes('[seatwise] the worker process is back'));
    await waitFor('the welcome mail queued while the worker was down', async () => {
      const mail = (await (await fetch(`${url}/dev/mailbox.json`)).json()) as { to: string }[];
      return mail.some((m) => m.to === ws.input.email);
    });

    // SIGTERM with 15 requests in flight: all are answered before PostgreSQL goes.
    const pgPort = Number(/PostgreSQL is listening on 127\.0\.0\.1:(\d+)/.exec(start.output())?.[1]);
    const password = (await readFile(path.join(dir, '.data', 'postgres-password'), 'utf8')).trim();
    const holder = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', password, database: 'seatwise' });
    await holder.connect();
    holder.on('error', () => {});
    const { requests, release } = await fifteenInFlight(url, holder, 'seatwise', `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/seatwise`);
    start.child.kill('SIGTERM');
    await waitFor('the web process to stop accepting', async () => (await fetch(`${url}/healthz`).then(() => false, () => true)));
    // PostgreSQL still answers: it stops last.
    expect((await holder.query('select 1 as one')).rows[0].one).toBe(1);
    await release();
    const answers = await Promise.all(requests);
    expect(answers.map((a) => a.status)).toEqual(Array(15).fill(200));
    expect(await start.exited).toBe(0);
    expect(start.output()).toContain('[seatwise] stopped');
    await holder.end().catch(() => {});
    const reconnect = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', password, database: 'seatwise' });
    await expect(reconnect.connect()).rejects.toThrow();
  }, 240_000);
});
