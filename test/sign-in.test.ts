import { onCleanup } from './setup/cleanup';
import { TRPCError } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARGON2_OPTIONS } from '../server/domain/auth/passwords';
import { API_USER_SIGN_IN, INVALID_CREDENTIALS, LOCKED_MESSAGE } from '../server/domain/auth/sign-in';
import { startWorker } from '../worker/worker';
import { hash } from '@node-rs/argon2';
import { createTestApp, memoryCookies, silentLog, startHttp, type TestApp } from './helpers/app';
import { insertUser, signUp } from './helpers/factories';
import { recipients, startSmtp } from './helpers/smtp';

let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let url: string;
let workspace: Awaited<ReturnType<typeof signUp>>;

beforeAll(async () => {
  smtp = await startSmtp();
  app = await createTestApp({ SMTP_URL: smtp.url, SIGN_IN_RATE_LIMIT: '1000' });
  const worker = await startWorker({ env: app.env, log: silentLog, pollingIntervalSeconds: 0.5, now: app.clock.now });
  onCleanup(() => worker.stop());
  ({ url } = await startHttp(app.deps));
  workspace = await signUp(app);
});

const login = (email: string, password: string, slug = workspace.tenant.slug) =>
  fetch(`${url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'sign-in-test' },
    body: JSON.stringify({ workspace: slug, email, password }),
  });

async function refused(response: Response) {
  return { status: response.status, body: await response.json() };
}

const userRow = (id: string) => app.database.owner('users').where({ id }).first();
const history = (email: string) =>
  app.database.owner('login_events').whereRaw('lower(email) = lower(?)', [email]).orderBy('id').select('result', 'message', 'ip', 'userAgent', 'userId');

describe('auth.login', () => {
  it('signs in with the workspace, a case-insensitive email and the password, and records it', async () => {
    const user = await insertUser(app, workspace.tenant.id, { email: 'mixed.Case@example.test', password: 'a fine password 1' });
    const response = await login('MIXED.case@EXAMPLE.test', 'a fine password 1', workspace.tenant.slug.toUpperCase());
    expect(response.status).toBe(200);
    expect((await response.json()).result.data.user).toMatchObject({ id: user.id, status: 'active' });
    expect(response.headers.get('set-cookie')).toMatch(/^seatwise_session=/);
    expect((await userRow(user.id))!.lastSignInAt).toBeInstanceOf(Date);
    expect(await history('mixed.case@example.test')).toEqual([
      { result: 'success', message: 'Signed in.', ip: '127.0.0.1', userAgent: 'sign-in-test', userId: user.id },
    ]);
  });

  it('gives an unknown workspace, an unknown email and a wrong password the same status and body', async () => {
    await insertUser(app, workspace.tenant.id, { email: 'known@example.test', password: 'the right password' });
    const answers = [
      await refused(await login('known@example.test', 'the right password', 'no-such-workspace')),
      await refused(await login('nobody@example.test', 'the right password')),
      await refused(await login('known@example.test', 'the wrong password')),
    ];
    expect(answers[0]).toEqual({ status: 401, body: expect.objectContaining({ error: expect.objectContaining({ message: INVALID_CREDENTIALS }) }) });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    const unknownWorkspace = await app.database.owner('login_events').whereNull('tenantId').where({ email: 'known@example.test' });
    expect(unknownWorkspace.map((e) => [e.result, e.message])).toEqual([['unknown_user', INVALID_CREDENTIALS]]);
    expect((await history('nobody@example.test')).map((e) => [e.result, e.userId])).toEqual([['unknown_user', null]]);
    expect((await history('known@example.test')).filter((e) => e.userId).map((e) => e.result)).toEqual(['wrong_password']);
  });

  it('locks at exactly the threshold: 9 wrong + 1 right signs in and resets the count; 10 wrong lock', async () => {
    const user = await insertUser(app, workspace.tenant.id, { email: 'threshold@example.test', password: 'the right password' });
    for (let i = 0; i < 9; i++) expect((await login(user.email, `wrong ${i}`)).status).toBe(401);
    expect((await userRow(user.id))!.failedSignInCount).toBe(9);
    expect((await login(user.email, 'the right password')).status).toBe(200);
    expect(await userRow(user.id)).toMatchObject({ failedSignInCount: 0, status: 'active' });

    for (let i = 0; i < 10; i++) expect((await login(user.email, `wrong ${i}`)).status).toBe(401);
    expect(await userRow(user.id)).toMatchObject({ failedSignInCount: 10, status: 'locked' });
    const audit = await app.database.owner('audit_events').where({ targetId: user.id, action: 'user.locked' });
    expect(audit).toHaveLength(1);
    expect(audit[0].after).toEqual({ status: 'locked', failedSignInCount: 10 });

    // Right password: the locked message, which points to a reset; wrong password: still generic.
    const right = await refused(await login(user.email, 'the right password'));
    expect(right.status).toBe(403);
    expect(right.body.error.message).toBe(LOCKED_MESSAGE);
    expect(right.body.error.message).toContain('Reset your password');
    expect((await refused(await login(user.email, 'still wrong'))).body.error.message).toBe(INVALID_CREDENTIALS);
    expect((await history(user.email)).slice(-2).map((e) => e.result)).toEqual(['locked', 'wrong_password']);

    // The locked user is emailed a reset link; completing it unlocks the account.
    const mail = await smtp.waitFor((m) => recipients(m).includes(user.email) && m.subject === 'Your Seatwise account is locked');
    const token = /\/reset-password\/([A-Za-z0-9_-]+)/.exec(mail.text!)![1];
    const caller = await app.caller(memoryCookies());
    await caller.auth.resetPassword({ token, password: 'a brand new password' });
    expect(await userRow(user.id)).toMatchObject({ status: 'active', failedSignInCount: 0 });
    expect((await login(user.email, 'a brand new password')).status).toBe(200);
  });

  it.each([
    ['suspended', 'Your account is suspended. Please contact your administrator.'],
    ['deactivated', 'Your account is deactivated. Please contact your administrator.'],
    ['banned', 'Your account is banned. Please contact your administrator.'],
  ] as const)('tells a %s user with the right password their status and to contact their administrator', async (status, message) => {
    const user = await insertUser(app, workspace.tenant.id, { email: `${status}@example.test`, password: 'the right password', status });
    const answer = await refused(await login(user.email, 'the right password'));
    expect(answer).toMatchObject({ status: 403, body: { error: { message } } });
    expect((await refused(await login(user.email, 'the wrong password'))).body.error.message).toBe(INVALID_CREDENTIALS);
    expect((await history(user.email)).map((e) => [e.result, e.message])).toEqual([
      ['not_active', message],
      ['wrong_password', INVALID_CREDENTIALS],
    ]);
    expect(await app.database.owner('sessions').where({ userId: user.id })).toEqual([]);
  });

  it('refuses an API user whatever password is tried', async () => {
    const user = await insertUser(app, workspace.tenant.id, { email: 'robot@example.test', kind: 'api' });
    for (const password of ['anything at all', '']) {
      const answer = await refused(await login(user.email, password || 'x'));
      expect(answer).toMatchObject({ status: 403, body: { error: { message: API_USER_SIGN_IN } } });
    }
    expect((await history(user.email)).map((e) => e.result)).toEqual(['api_user', 'api_user']);
    expect((await userRow(user.id))!.failedSignInCount).toBe(0);
  });

  it('keeps an exact count under 50 parallel wrong attempts, locks once, and never answers 5xx', async () => {
    const user = await insertUser(app, workspace.tenant.id, { email: 'parallel@example.test', password: 'the right password' });
    const statuses = await Promise.all(Array.from({ length: 50 }, (_, i) => login(user.email, `wrong ${i}`).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(await userRow(user.id)).toMatchObject({ status: 'locked', failedSignInCount: 50 });
    expect(await app.database.owner('audit_events').where({ targetId: user.id, action: 'user.locked' })).toHaveLength(1);
    expect(await history(user.email)).toHaveLength(50);
  });

  it('rehashes a password stored with older argon2 parameters at the next sign-in', async () => {
    const user = await insertUser(app, workspace.tenant.id, { email: 'old-hash@example.test' });
    const old = await hash('an old hashed password', { ...ARGON2_OPTIONS, timeCost: 1, memoryCost: 8192 });
    await app.database.owner('users').where({ id: user.id }).update({ passwordHash: old });
    expect((await login(user.email, 'an old hashed password')).status).toBe(200);
    expect((await userRow(user.id))!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await login(user.email, 'an old hashed password')).status).toBe(200);
  });

  it('refuses empty fields with BAD_REQUEST naming them, and records nothing', async () => {
    const before = await app.database.owner('login_events').count({ n: '*' });
    const response = await fetch(`${url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workspace: '', email: '', password: '' }),
    });
    expect(response.status).toBe(400);
    expect(Object.keys((await response.json()).error.data.fieldErrors).sort()).toEqual(['email', 'password', 'workspace']);
    expect(await app.database.owner('login_events').count({ n: '*' })).toEqual(before);
  });
});

describe('sign-in rate limit', () => {
  it('trips with 429 and a Retry-After per IP, and resets after its window', async () => {
    const limited = await createTestApp({ SIGN_IN_RATE_LIMIT: '3' });
    const { url: limitedUrl } = await startHttp(limited.deps);
    const attempt = () =>
      fetch(`${limitedUrl}/trpc/auth.login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ workspace: 'nowhere', email: 'x@example.test', password: 'whatever' }),
      });
    for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401);
    const tripped = await attempt();
    expect(tripped.status).toBe(429);
    expect((await tripped.json()).error.message).toMatch(/^Too many sign-in attempts from your network\. Try again in \d+ minutes?\.$/);
    expect(Number(tripped.headers.get('retry-after'))).toBeGreaterThan(0);
    const recorded = await limited.database.owner('login_events').count({ n: '*' });
    expect(recorded).toEqual([{ n: '3' }]);

    limited.clock.advance(15 * 60_000);
    expect((await attempt()).status).toBe(401);
  });
});

describe('caller-level refusals', () => {
  it('are TRPCErrors with the same message for the UI', async () => {
    const error = await (await app.caller()).auth
      .login({ workspace: workspace.tenant.slug, email: 'ghost@example.test', password: 'nope nope nope' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('UNAUTHORIZED');
    expect((error as TRPCError).message).toBe(INVALID_CREDENTIALS);
  });
});

describe('source IP in login history', () => {
  it('honours X-Forwarded-For only when TRUST_PROXY is set', async () => {
    for (const [trust, expected] of [
      ['true', '198.51.100.7'],
      ['false', '127.0.0.1'],
    ]) {
      const proxied = await createTestApp({ TRUST_PROXY: trust });
      const { url: base } = await startHttp(proxied.deps);
      await fetch(`${base}/trpc/auth.login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
        body: JSON.stringify({ workspace: 'nowhere', email: `proxy-${trust}@example.test`, password: 'whatever it is' }),
      });
      const [event] = await proxied.database.owner('login_events').where({ email: `proxy-${trust}@example.test` });
      expect(event.ip).toBe(expected);
    }
  });
});
