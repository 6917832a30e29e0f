import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../db/embedded';
import { STATUSES } from '../server/contract/statuses';
import { SEAT_TYPES } from '../server/contract/seats';
import { DEMO, seedDemo } from '../scripts/seed-demo';
import { parseEnv } from '../server/shared/env';
import { countRows, createTestDatabase } from './helpers/db';
import { onCleanup } from './setup/cleanup';

/**
 * Issue "First run": `npm run db:seed` gives a workspace that shows what the product does — users
 * in every status and kind, bought seats, an API key, sign-ins and the audit trail — and running
 * it again changes nothing.
 */
describe('db:seed demo workspace', () => {
  it('has every status and kind, bought seats, a key, login history and audit; a second run changes nothing', async () => {
    const database = await createTestDatabase();
    const messages: string[] = [];
    const first = await seedDemo(database.url, { log: (m) => messages.push(m) });
    expect(first.created).toBe(true);
    expect(messages.join('\n')).toContain(`sign in as ${DEMO.email} with password ${DEMO.password}`);

    const db = database.owner;
    const tenant = (await db('tenants').where({ slug: DEMO.slug }).first('id'))!;
    const users = await db('users').where({ tenantId: tenant.id }).select('status', 'kind', 'statusReason', 'email');
    expect(users.length).toBeGreaterThanOrEqual(12);
    expect(new Set(users.map((u) => u.status))).toEqual(new Set(STATUSES));
    expect(new Set(users.map((u) => u.kind))).toEqual(new Set(SEAT_TYPES));
    for (const status of ['suspended', 'banned']) expect(users.find((u) => u.status === status)?.statusReason).toBeTruthy();

    const roles = await db('roles').where({ tenantId: tenant.id }).whereNull('key').select('name');
    expect(roles.map((r) => r.name)).toContain('Support agent');
    expect(await db('api_keys').where({ tenantId: tenant.id }).whereNull('revokedAt')).toHaveLength(1);

    const defaults = parseEnv({ DATABASE_URL: database.url });
    const pools = await db('seat_pools').where({ tenantId: tenant.id }).select('seatType', 'purchased', 'included');
    const included = { standard: defaults.INCLUDED_SEATS_STANDARD, client: defaults.INCLUDED_SEATS_CLIENT, api: defaults.INCLUDED_SEATS_API };
    for (const pool of pools) expect(pool.purchased).toBeGreaterThan(included[pool.seatType as keyof typeof included]);
    expect(await db('seat_ledger').where({ tenantId: tenant.id })).toHaveLength(3);

    const logins = await db('login_events').where({ tenantId: tenant.id }).select('result');
    expect(logins.some((l) => l.result === 'success')).toBe(true);
    expect(logins.some((l) => l.result !== 'success')).toBe(true);
    const actions = new Set((await db('audit_events').where({ tenantId: tenant.id }).select('action')).map((a) => a.action));
    for (const action of ['user.created', 'user.status_changed', 'user.locked', 'seats.changed', 'api_key.created']) expect(actions).toContain(action);

    const tables = ['tenants', 'users', 'roles', 'seat_pools', 'seat_ledger', 'subscriptions', 'api_keys', 'login_events', 'audit_events', 'sessions', 'one_time_tokens'];
    const before = await countRows(db, tables);
    const second = await seedDemo(database.url, { log: (m) => messages.push(m) });
    expect(second.created).toBe(false);
    expect(messages.at(-1)).toMatch(/exists already/);
    expect(await countRows(db, tables)).toEqual(before);
  });
});

/**
 * `npm run db:seed` while `npm start` runs: the embedded PostgreSQL's data directory admits one
 * server only, so the command uses the running one (its port from postmaster.pid), or says why not.
 */
describe('scripts/db.ts next to a running Seatwise', () => {
  async function folder() {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seatwise-db-'));
    await chmod(dir, 0o755);
    onCleanup(() => rm(dir, { recursive: true, force: true }));
    await symlink(path.resolve('node_modules'), path.join(dir, 'node_modules'));
    await mkdir(path.join(dir, '.data'));
    return dir;
  }
  const dbScript = (dir: string, command: string) => {
    const { DATABASE_URL: _unset, ...env } = process.env;
    return new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', path.resolve('scripts/db.ts'), command], { cwd: dir, env: { ...env, LOG_LEVEL: 'silent' } }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
      );
    });
  };

  it('says to stop Seatwise, or to use DATABASE_URL, while it starts and its PostgreSQL is not up', async () => {
    const dir = await folder();
    await writeFile(path.join(dir, '.data', 'seatwise.pid'), String(process.pid));
    const { code, output } = await dbScript(dir, 'seed');
    expect(code).toBe(1);
    expect(output).toContain(`Seatwise is running (pid ${process.pid})`);
    expect(output).toContain('stop it first');
    expect(output).toContain('DATABASE_URL=');
    expect(output).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(dir, '.data', 'pg'))).toBe(false);
  });

  it('migrates the PostgreSQL that is already running from .data/ and leaves it running', async () => {
    const dir = await folder();
    const server = await startEmbeddedPostgres({ dir: path.join(dir, '.data'), durable: false });
    onCleanup(() => server.stop());
    await writeFile(path.join(dir, '.data', 'seatwise.pid'), String(process.pid));
    const { code, output } = await dbScript(dir, 'migrate');
    expect(output).toContain('Using the embedded PostgreSQL that the running Seatwise started');
    expect(code).toBe(0);
    const client = new pg.Client({ connectionString: server.url.replace(/\/postgres$/, '/seatwise') });
    await client.connect();
    expect((await client.query(`select count(*)::int as n from knex_migrations`)).rows[0].n).toBeGreaterThan(0);
    await client.end();
  });
});
