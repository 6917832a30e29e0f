import { beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../worker/worker';
import { createTestApp, silentLog, startHttp, type TestApp } from './helpers/app';
import { insertUser, signUp } from './helpers/factories';
import { recipients, startSmtp } from './helpers/smtp';
import { onCleanup } from './setup/cleanup';

const RESET_ANSWER = {
  message:
    'If an account exists for that email in that workspace, we have sent it a link to choose a new password. The link works for one hour.',
};
const LINK_INVALID = 'This password reset link has expired or has already been used. Request a new one.';

let app: TestApp;
let url: string;
let smtp: Awaited<ReturnType<typeof startSmtp>>;

beforeAll(async () => {
  smtp = await startSmtp();
  app = await createTestApp({ SMTP_URL: smtp.url, PASSWORD_RESET_RATE_LIMIT: '1000' });
  const worker = await startWorker({ env: app.env, log: silentLog, pollingIntervalSeconds: 0.5, now: app.clock.now });
  onCleanup(() => worker.stop());
  ({ url } = await startHttp(app.deps));
});

const post = (route: string, body: unknown, base = url) =>
  fetch(`${base}/trpc/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const request = (workspace: string, email: string, base = url) => post('auth.requestPasswordReset', { workspace, email }, base);
const reset = (token: string, password: string) => post('auth.resetPassword', { token, password });
const resetJobs = () => app.database.owner('pgboss.job').where({ name: 'email.send' }).whereRaw(`data->>'template' = 'password-reset'`).count({ n: '*' }).then(([r]) => Number(r.n));

async function linkFor(email: string, after = 0) {
  const mail = await smtp.waitFor((m) => recipients(m).includes(email) && m.subject === 'Reset your Seatwise password' && smtp.messages.indexOf(m) >= after);
  return /\/reset-password\/([A-Za-z0-9_-]+)/.exec(mail.text!)![1];
}

describe('auth.requestPasswordReset', () => {
  it('answers the same for a known email, an unknown email and an unknown workspace; only the known one gets mail', async () => {
    const { tenant, input } = await signUp(app);
    const jobsBefore = await resetJobs();
    const answers = [];
    for (const [workspace, email] of [
      [tenant.slug, 'nobody@example.test'],
      ['no-such-workspace', input.email],
      [tenant.slug, input.email.toUpperCase()],
    ]) {
      const response = await request(workspace, email);
      answers.push({ status: response.status, body: await response.json() });
    }
    expect(answers[0]).toEqual({ status: 200, body: { result: { data: RESET_ANSWER } } });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(await resetJobs()).toBe(jobsBefore + 1);
    await linkFor(input.email);
    expect(smtp.messages.filter((m) => recipients(m).includes('nobody@example.test'))).toEqual([]);
  });

  it('sends nothing to a suspended or banned user, with the same answer', async () => {
    const { tenant } = await signUp(app);
    const before = await resetJobs();
    for (const status of ['suspended', 'banned'] as const) {
      const user = await insertUser(app, tenant.id, { email: `${status}-reset@example.test`, status });
      const response = await request(tenant.slug, user.email);
      expect(await response.json()).toEqual({ result: { data: RESET_ANSWER } });
    }
    expect(await resetJobs()).toBe(before);
  });
});

describe('auth.resetPassword', () => {
  it('sets the password, signs in, ends earlier sessions, and is audited; the link is single use', async () => {
    const { tenant, input, user } = await signUp(app);
    const older = await post('auth.login', { workspace: tenant.slug, email: input.email, password: input.password });
    const olderCookie = older.headers.get('set-cookie')!.split(';')[0];
    const mark = smtp.messages.length;
    await request(tenant.slug, input.email);
    const token = await linkFor(input.email, mark);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const done = await reset(token, 'a brand new password');
    expect(done.status).toBe(200);
    const cookie = done.headers.get('set-cookie')!.split(';')[0];
    expect((await fetch(`${url}/trpc/auth.me`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${url}/trpc/auth.me`, { headers: { cookie: olderCookie } })).status).toBe(401);
    const oldPassword = await post('auth.login', { workspace: tenant.slug, email: input.email, password: input.password });
    expect((await oldPassword.json()).error.message).toBe('Invalid email or password.');
    expect(await app.database.owner('audit_events').where({ targetId: user.id, action: 'user.password_reset' })).toHaveLength(1);

    const hash = (await app.database.owner('users').where({ id: user.id }).first())!.passwordHash;
    const again = await reset(token, 'yet another password');
    expect(again.status).toBe(400);
    expect((await again.json()).error.message).toBe(LINK_INVALID);
    expect((await app.database.owner('users').where({ id: user.id }).first())!.passwordHash).toBe(hash);
  });

  it('a newer request kills the older link', async () => {
    const { tenant, input } = await signUp(app);
    let mark = smtp.messages.length;
    await request(tenant.slug, input.email);
    const first = await linkFor(input.email, mark);
    mark = smtp.messages.length;
    await request(tenant.slug, input.email);
    const second = await linkFor(input.email, mark);
    expect((await (await reset(first, 'a brand new password')).json()).error.message).toBe(LINK_INVALID);
    expect((await reset(second, 'a brand new password')).status).toBe(200);
  });

  it('works for 59 minutes and not after 61 (fake clock)', async () => {
    const { tenant } = await signUp(app);
    const [early, late] = await Promise.all(['early', 'late'].map((n) => insertUser(app, tenant.id, { email: `${n}@expiry.test` })));
    let mark = smtp.messages.length;
    await request(tenant.slug, early.email);
    const earlyToken = await linkFor(early.email, mark);
    mark = smtp.messages.length;
    await request(tenant.slug, late.email);
    const lateToken = await linkFor(late.email, mark);
    app.clock.advance(59 * 60_000);
    expect((await reset(earlyToken, 'a brand new password')).status).toBe(200);
    app.clock.advance(2 * 60_000);
    const expired = await reset(lateToken, 'a brand new password');
    expect(expired.status).toBe(400);
    expect((await expired.json()).error.message).toBe(LINK_INVALID);
  });

  it('unlocks a locked user', async () => {
    const { tenant } = await signUp(app);
    const user = await insertUser(app, tenant.id, { email: 'locked-out@example.test', status: 'locked' });
    await app.database.owner('users').where({ id: user.id }).update({ failedSignInCount: 10 });
    const mark = smtp.messages.length;
    await request(tenant.slug, user.email);
    expect((await reset(await linkFor(user.email, mark), 'a brand new password')).status).toBe(200);
    expect(await app.database.owner('users').where({ id: user.id }).first()).toMatchObject({ status: 'active', failedSignInCount: 0 });
  });

  it('keeps no token and no session id in plain text anywhere in the database', async () => {
    const { tenant, input } = await signUp(app);
    const mark = smtp.messages.length;
    await request(tenant.slug, input.email);
    const token = await linkFor(input.email, mark);
    const done = await reset(token, 'a brand new password');
    const session = done.headers.get('set-cookie')!.split(';')[0].split('=')[1];
    const { rows: columns } = await app.database.owner.raw(
      `select table_schema, table_name, column_name from information_schema.columns
       where table_schema in ('public', 'pgboss') and data_type in ('text', 'character varying', 'jsonb', 'json')`,
    );
    expect(columns.length).toBeGreaterThan(20);
    for (const secret of [token, session]) {
      for (const c of columns) {
        const { rows } = await app.database.owner.raw(`select count(*)::int as n from ??.?? where ??::text like ?`, [c.table_schema, c.table_name, c.column_name, `%${secret}%`]);
        expect(rows[0].n, `${c.table_name}.${c.column_name}`).toBe(0);
      }
    }
  });
});

describe('reset request rate limit', () => {
  it('trips with 429 and Retry-After per IP, and resets after its window', async () => {
    const limited = await createTestApp({ PASSWORD_RESET_RATE_LIMIT: '3' });
    const { url: base } = await startHttp(limited.deps);
    for (let i = 0; i < 3; i++) expect((await request('somewhere', `x${i}@example.test`, base)).status).toBe(200);
    const tripped = await request('somewhere', 'x@example.test', base);
    expect(tripped.status).toBe(429);
    expect(Number(tripped.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await tripped.json()).error.message).toMatch(/^Too many password reset requests from your network\. Try again in \d+ minutes?\.$/);
    limited.clock.advance(15 * 60_000);
    expect((await request('somewhere', 'x@example.test', base)).status).toBe(200);
  });
});
