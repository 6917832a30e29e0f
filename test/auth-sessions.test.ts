import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerBuild } from '@remix-run/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, startHttp, type TestApp } from './helpers/app';
import { insertUser, signupInput } from './helpers/factories';
import { startSmtp } from './helpers/smtp';

let app: TestApp;
let url: string;

beforeAll(async () => {
  app = await createTestApp();
  const remixBuild = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as ServerBuild;
  ({ url } = await startHttp(app.deps, { remixBuild }));
});

const post = (base: string, route: string, body: unknown, cookie?: string) =>
  fetch(`${base}/trpc/${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });
const me = (cookie: string, base = url) => fetch(`${base}/trpc/auth.me`, { headers: { cookie } });
const cookieOf = (response: Response) => response.headers.get('set-cookie')!.split(';')[0];
const valueOf = (cookie: string) => cookie.split('=')[1];

async function workspace(base = url) {
  const input = signupInput();
  const response = await post(base, 'auth.signup', input);
  expect(response.status).toBe(200);
  const { tenant, user } = (await response.json()).result.data;
  return { input, tenant, user, cookie: cookieOf(response) };
}
const login = (ws: { tenant: { slug: string } }, email: string, password: string, cookie?: string, base = url) =>
  post(base, 'auth.login', { workspace: ws.tenant.slug, email, password }, cookie);

describe('session cookies', () => {
  it('in production: __Host- name, Secure, HttpOnly, SameSite=Lax, Path=/', async () => {
    const smtp = await startSmtp();
    const production = await createTestApp({
      NODE_ENV: 'production',
      APP_URL: 'https://seatwise.example',
      SMTP_URL: smtp.url,
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
      STRIPE_PRICE_STANDARD: 'price_a',
      STRIPE_PRICE_CLIENT: 'price_b',
      STRIPE_PRICE_API: 'price_c',
    });
    const { url: base } = await startHttp(production.deps);
    const input = signupInput();
    const signup = await post(base, 'auth.signup', input);
    const login = await post(base, 'auth.login', { workspace: input.slug, email: input.email, password: input.password });
    for (const response of [signup, login]) {
      const header = response.headers.get('set-cookie')!;
      expect(header).toMatch(/^__Host-seatwise_session=[A-Za-z0-9_-]{43}; Path=\/; Expires=.+; HttpOnly; Secure; SameSite=Lax$/);
    }
  });

  it('in development: seatwise_session without Secure (plain http)', async () => {
    const { cookie } = await workspace();
    const response = await post(url, 'auth.signup', signupInput());
    expect(response.headers.get('set-cookie')).not.toContain('Secure');
    expect(cookie).toMatch(/^seatwise_session=/);
  });

  it('the database keeps only the SHA-256 of the cookie value', async () => {
    const { cookie, user } = await workspace();
    const [session] = await app.database.owner('sessions').where({ userId: user.id });
    expect(session.tokenHash).toBe(createHash('sha256').update(valueOf(cookie)).digest('hex'));
    const { rows } = await app.database.owner.raw(`select count(*)::int as n from sessions where token_hash = ? or ip = ? or user_agent = ?`, [valueOf(cookie), valueOf(cookie), valueOf(cookie)]);
    expect(rows[0].n).toBe(0);
  });

  it('a new id at every sign-in; the session sent along is ended', async () => {
    const ws = await workspace();
    const first = await login(ws, ws.input.email, ws.input.password, ws.cookie);
    const second = await login(ws, ws.input.email, ws.input.password);
    expect(cookieOf(first)).not.toBe(ws.cookie);
    expect(cookieOf(second)).not.toBe(cookieOf(first));
    expect((await me(ws.cookie)).status).toBe(401);
    expect((await me(cookieOf(first))).status).toBe(200);
  });

  it('logout deletes the session, clears the cookie, and the old cookie gets 401', async () => {
    const ws = await workspace();
    const response = await post(url, 'auth.logout', {}, ws.cookie);
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/^seatwise_session=; Path=\/; Expires=Thu, 01 Jan 1970/);
    expect(await app.database.owner('sessions').where({ userId: ws.user.id })).toEqual([]);
    const after = await me(ws.cookie);
    expect(after.status).toBe(401);
    expect((await after.json()).error.message).toBe('Please sign in to continue.');
  });

  it('expires after 8 idle hours and after 7 days in any case, both tenant settings', async () => {
    const ws = await workspace();
    app.clock.advance(7 * 3600_000 + 59 * 60_000);
    expect((await me(ws.cookie)).status).toBe(200);
    app.clock.advance(8 * 3600_000);
    expect((await me(ws.cookie)).status).toBe(401);
    expect(await app.database.owner('sessions').where({ userId: ws.user.id })).toEqual([]);

    const fresh = cookieOf(await login(ws, ws.input.email, ws.input.password));
    for (let hours = 4; hours < 168; hours += 4) {
      app.clock.advance(4 * 3600_000);
      expect((await me(fresh)).status, `after ${hours} hours`).toBe(200);
    }
    app.clock.advance(4 * 3600_000);
    expect((await me(fresh)).status).toBe(401);

    await app.database.owner('tenants').where({ id: ws.tenant.id }).update({ sessionIdleMinutes: 15 });
    const short = cookieOf(await login(ws, ws.input.email, ws.input.password));
    app.clock.advance(16 * 60_000);
    expect((await me(short)).status).toBe(401);
  });
});

describe('auth.changePassword', () => {
  it('ends every other session of the user and keeps this one', async () => {
    const ws = await workspace();
    const other = cookieOf(await login(ws, ws.input.email, ws.input.password));
    const response = await post(url, 'auth.changePassword', { currentPassword: ws.input.password, newPassword: 'a different long password' }, ws.cookie);
    expect(response.status).toBe(200);
    expect((await me(ws.cookie)).status).toBe(200);
    expect((await me(other)).status).toBe(401);
    expect((await login(ws, ws.input.email, 'a different long password')).status).toBe(200);
    const old = await login(ws, ws.input.email, ws.input.password);
    expect((await old.json()).error.message).toBe('Invalid email or password.');
    expect((await app.database.owner('audit_events').where({ targetId: ws.user.id, action: 'user.password_changed' })).length).toBe(1);
  });

  it('refuses a wrong current password or a weak new one, and changes nothing', async () => {
    const ws = await workspace();
    const other = cookieOf(await login(ws, ws.input.email, ws.input.password));
    const before = (await app.database.owner('users').where({ id: ws.user.id }).first())!.passwordHash;
    const wrong = await post(url, 'auth.changePassword', { currentPassword: 'not my password', newPassword: 'a different long password' }, ws.cookie);
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error.data.fieldErrors).toEqual({ currentPassword: ['Your current password is not correct.'] });
    for (const [newPassword, message] of [
      ['short', 'Use at least 12 characters'],
      ['password1234', 'This password is too common. Choose another one.'],
    ]) {
      const weak = await post(url, 'auth.changePassword', { currentPassword: ws.input.password, newPassword }, ws.cookie);
      expect(weak.status).toBe(400);
      expect((await weak.json()).error.data.fieldErrors.newPassword).toEqual([message]);
    }
    expect((await app.database.owner('users').where({ id: ws.user.id }).first())!.passwordHash).toBe(before);
    expect((await me(other)).status).toBe(200);
  });
});

describe('must change password', () => {
  it('a flagged user can sign in and see themselves, but nothing else until the password is changed', async () => {
    const ws = await workspace();
    const user = await insertUser(app, ws.tenant.id, { email: 'flagged@example.test', password: 'the first password', mustChangePassword: true, roleKey: 'admin' });
    const cookie = cookieOf(await login(ws, user.email, 'the first password'));
    expect((await (await me(cookie)).json()).result.data.user.mustChangePassword).toBe(true);
    const refused = await fetch(`${url}/trpc/tenant.get`, { headers: { cookie } });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.message).toBe('Choose a new password before you continue.');
    const page = await fetch(`${url}/users`, { headers: { cookie }, redirect: 'manual' });
    expect(page.headers.get('location')).toBe('/change-password');
    expect((await post(url, 'auth.changePassword', { currentPassword: 'the first password', newPassword: 'the second password' }, cookie)).status).toBe(200);
    expect((await fetch(`${url}/trpc/tenant.get`, { headers: { cookie } })).status).toBe(200);
  });
});

describe('cross-site protection on Remix actions', () => {
  it.each([{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }] as Record<string, string>[])('refuses POST /logout with %o and keeps the session', async (headers) => {
    const ws = await workspace();
    const response = await fetch(`${url}/logout`, { method: 'POST', headers: { cookie: ws.cookie, ...headers }, redirect: 'manual' });
    expect(response.status).toBe(403);
    expect(await app.database.owner('sessions').where({ userId: ws.user.id })).toHaveLength(1);
    const same = await fetch(`${url}/logout`, { method: 'POST', headers: { cookie: ws.cookie, origin: url }, redirect: 'manual' });
    expect(same.status).toBe(302);
    expect(await app.database.owner('sessions').where({ userId: ws.user.id })).toHaveLength(0);
  });
});
