import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerBuild } from '@remix-run/node';
import Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/index';
import { devMailbox } from '../server/http/dev-mailbox';
import { NOT_AN_EMAIL } from '../server/domain/auth/sign-in';
import { EMULATOR_WEBHOOK_SECRET } from '../server/shared/env';
import { createTestApp, memoryCookies, startHttp, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { signupInput, signUp } from './helpers/factories';
import { onCleanup } from './setup/cleanup';

/** Issue #13, findings 2, 3 and 7: what a careless or hostile client sends gets a 4xx, and nothing else. */
let app: TestApp;
let url: string;
let remixBuild: ServerBuild;

beforeAll(async () => {
  app = await createTestApp({ API_KEY_RATE_LIMIT: '25' });
  remixBuild = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as ServerBuild;
  ({ url } = await startHttp(app.deps, { remixBuild }));
});

async function signedInOverHttp() {
  const input = signupInput();
  const response = await fetch(`${url}/trpc/auth.signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
  expect(response.status).toBe(200);
  return { input, cookie: response.headers.get('set-cookie')!.split(';')[0] };
}

async function integrationKey() {
  const ws = await signUp(app);
  await app.database.owner('seat_pools').where({ tenantId: ws.tenant.id, seatType: 'api' }).update({ included: 1 });
  const bot = await ws.owner.users.create({ kind: 'api', email: `bot@${ws.tenant.slug}.test`, firstName: 'B', lastName: 'B' });
  return { ...ws, key: (await ws.owner.apiKeys.create({ userId: bot.id, name: 'ci' })).key };
}

/** A raw request whose declared body need not be sent: the answer must come before it is read. */
function rawRequest(route: string, { method = 'POST', headers = {}, body = '' }: { method?: string; headers?: Record<string, string | number>; body?: string | Buffer }) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const request = http.request(`${url}${route}`, { method, headers }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, text }));
    });
    request.on('error', reject);
    request.write(body);
    // A declared 300 MB body is never sent whole: the server must answer without waiting for it.
    if (!headers['content-length'] || Number(headers['content-length']) === Buffer.byteLength(body)) request.end();
  });
}

describe('tRPC batches (finding 2)', () => {
  const batch = (n: number, headers: Record<string, string>) =>
    fetch(`${url}/trpc/${Array.from({ length: n }, () => 'users.list').join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify({}))}`, { headers });

  it('refuses more than 10 calls in one request with 400, for a key and a session alike', async () => {
    const { key } = await integrationKey();
    const { cookie } = await signedInOverHttp();
    for (const headers of [{ authorization: `Bearer ${key}` }, { cookie }] as Record<string, string>[]) {
      const response = await batch(11, headers);
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).toContain('Batch call exceeds maximum size');
      expect((await batch(10, headers)).status).toBe(200);
    }
  });

  it('counts every call of a batch against the key rate limit', async () => {
    const { key } = await integrationKey();
    const headers = { authorization: `Bearer ${key}` };
    // Limit 25 a minute; one request of 10 was made above for another key, not this one.
    expect((await batch(10, headers)).status).toBe(200);
    expect((await batch(10, headers)).status).toBe(200);
    // Each call counts as it runs: the five calls past the limit of 25 are refused, the others answered.
    const third = await batch(10, headers);
    expect(third.status).toBe(207);
    const results = (await third.json()) as { error?: { data?: { code?: string } } }[];
    expect(results.filter((r) => r.error?.data?.code === 'TOO_MANY_REQUESTS')).toHaveLength(5);
    expect(results.filter((r) => !r.error)).toHaveLength(5);
    expect((await batch(1, headers)).headers.get('retry-after')).toMatch(/^\d+$/);
    const [{ hits }] = await app.database.owner('rate_limits').whereLike('key', 'api-key:%').orderBy('hits', 'desc').limit(1).select('hits');
    expect(hits).toBe(31);
  });
});

describe('request bodies over 1 MB (finding 3)', () => {
  it.each(['/trpc/auth.login', '/login', '/webhooks/stripe', '/users/new'])('POST %s declaring 300 MB gets 413 before the body is read', async (route) => {
    const response = await rawRequest(route, { headers: { 'content-type': 'application/json', 'content-length': 300 * 1024 * 1024 }, body: 'x'.repeat(64 * 1024) });
    expect(response.status).toBe(413);
    expect(response.text).toContain('larger than 1024 KB');
  });

  it('a chunked body over 1 MB to tRPC is cut off at 1 MB with 413; a chunked page post must declare its length (411)', async () => {
    const big = JSON.stringify({ workspace: 'a', email: 'a@b.test', password: 'x'.repeat(2 * 1024 * 1024) });
    const trpc = await rawRequest('/trpc/auth.login', { headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: big });
    expect(trpc.status).toBe(413);
    const page = await rawRequest('/login', { headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' }, body: 'email=a' });
    expect(page.status).toBe(411);
    expect(page.text).toContain('Content-Length');
  });

  it('a body just under the limit is still read and answered', async () => {
    const body = JSON.stringify({ workspace: 'nowhere-at-all', email: 'a@b.test', password: 'x'.repeat(1000) });
    const response = await rawRequest('/trpc/auth.login', { headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, body });
    expect(response.status).toBe(401);
  });
});

describe('smaller findings (7)', () => {
  it('authenticated JSON and HTML carry Cache-Control: no-store; built assets stay cacheable', async () => {
    const { cookie } = await signedInOverHttp();
    const me = await fetch(`${url}/trpc/auth.me`, { headers: { cookie } });
    expect(me.headers.get('cache-control')).toBe('no-store');
    const page = await fetch(`${url}/dashboard`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const asset = (await page.text()).match(/\/build\/[^"]+\.js/)![0];
    expect((await fetch(`${url}${asset}`)).headers.get('cache-control')).toContain('max-age=31536000');
  });

  it('pages answer 503 with a page saying the service is briefly unavailable while PostgreSQL is down', async () => {
    const { cookie } = await signedInOverHttp();
    // The same app with both pools pointed at a port nothing listens on: PostgreSQL is "down".
    const down = createDb('postgres://seatwise:x@127.0.0.1:1/seatwise', { max: 1 });
    onCleanup(() => down.destroy());
    const { url: downUrl } = await startHttp({ ...app.deps, db: down, ownerDb: down }, { remixBuild });
    for (const route of ['/dashboard', '/users', '/settings']) {
      const response = await fetch(`${downUrl}${route}`, { headers: { cookie }, redirect: 'manual' });
      expect(response.status, route).toBe(503);
      expect(await response.text()).toContain('Seatwise is briefly unavailable. Please try again in a minute.');
    }
    const login = await fetch(`${downUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: downUrl },
      body: new URLSearchParams({ workspace: 'acme', email: 'a@b.test', password: 'whatever it is' }),
      redirect: 'manual',
    });
    expect(login.status).toBe(503);
    expect((await fetch(`${downUrl}/trpc/auth.me`, { headers: { cookie } })).status).toBe(503);
  });

  it('sign-up is rate limited per source address, and a refused sign-up creates nothing', async () => {
    const limited = await createTestApp({ SIGNUP_RATE_LIMIT: '3' });
    const from = (ip: string) => limited.caller(memoryCookies(), { ip });
    for (let i = 0; i < 3; i++) await (await from('198.51.100.7')).auth.signup(signupInput());
    const input = signupInput();
    const refused = await refusal((await from('198.51.100.7')).auth.signup(input));
    expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', data: { reason: 'RATE_LIMITED' } });
    expect(refused.message).toMatch(/^Too many workspaces were created from your network\. Try again in \d+ minutes?\.$/);
    expect(await limited.database.owner('tenants').where({ slug: input.slug })).toEqual([]);
    expect((await (await from('198.51.100.8')).auth.signup(input)).tenant.slug).toBe(input.slug);
  });

  it('login history keeps what was typed as the email only when it is an email address', async () => {
    const ws = await signUp(app);
    const anonymous = await app.caller();
    await refusal(anonymous.auth.login({ workspace: ws.tenant.slug, email: 'my secret password 42', password: 'x' }));
    await refusal(anonymous.auth.login({ workspace: ws.tenant.slug, email: 'Nobody@Example.test', password: 'x' }));
    await refusal(anonymous.auth.login({ workspace: 'no-such-workspace', email: 'hunter2hunter2', password: 'x' }));
    const rows = await app.database.owner('login_events').whereIn('tenantId', [ws.tenant.id]).orWhereNull('tenantId').orderBy('id').select('email');
    const emails = rows.map((r) => r.email);
    expect(emails).toContain(NOT_AN_EMAIL);
    expect(emails).toContain('Nobody@Example.test');
    expect(emails.join()).not.toMatch(/secret|hunter2/);
  });

  describe('Stripe webhooks', () => {
    const post = (payload: string, timestamp = Math.floor(Date.now() / 1000)) =>
      fetch(`${url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: EMULATOR_WEBHOOK_SECRET, timestamp }) },
        body: payload,
      });
    const stored = async () => Number((await app.database.owner('stripe_events').count({ n: '*' }))[0].n);
    const valid = (id: string) => ({ id, object: 'event', type: 'invoice.paid', created: 1764547200, data: { object: { id: 'in_1', subscription: 'sub_x' } } });

    it('refuses a signature timestamped more than 5 minutes in the future, like a stale one', async () => {
      const before = await stored();
      const future = await post(JSON.stringify(valid('evt_future')), Math.floor(Date.now() / 1000) + 600);
      expect(future.status).toBe(400);
      expect((await future.json()).error).toContain('future');
      expect(await stored()).toBe(before);
      expect((await post(JSON.stringify(valid('evt_near_future')), Math.floor(Date.now() / 1000) + 60)).status).toBe(200);
    });

    it.each([
      ['an id that is not a string', { ...valid('x'), id: 12345 }, 'id'],
      ['an id that is not an event id', valid("evt_'; drop table"), 'id'],
      ['a bare array', [valid('evt_in_array')], 'event'],
      ['no data', { ...valid('evt_no_data'), data: undefined }, 'data'],
      ['a NUL in a value', { ...valid('evt_nul'), data: { object: { id: 'in_\u0000' } } }, 'NUL'],
    ])('refuses a validly signed event with %s: 400, nothing stored or queued', async (_what, event, named) => {
      const before = await stored();
      const jobs = Number((await app.database.owner('pgboss.job').where({ name: 'stripe.event' }).count({ n: '*' }))[0].n);
      const response = await post(JSON.stringify(event));
      expect(response.status).toBe(400);
      expect((await response.json()).error).toContain(named);
      expect(await stored()).toBe(before);
      expect(Number((await app.database.owner('pgboss.job').where({ name: 'stripe.event' }).count({ n: '*' }))[0].n)).toBe(jobs);
    });
  });

  it('the dev mailbox answers the machine itself, and 403 to any other address whatever it forwards', async () => {
    const response = await fetch(`${url}/dev/mailbox.json`);
    expect(response.status).toBe(200);
    const handler = devMailbox(app.database.owner);
    const answer = await new Promise<{ status: number; body: string }>((resolve) => {
      let status = 200;
      const res = {
        status: (s: number) => ((status = s), res),
        type: () => res,
        send: (body: string) => resolve({ status, body }),
        json: (body: unknown) => resolve({ status, body: JSON.stringify(body) }),
      };
      const req = { socket: { remoteAddress: '192.0.2.10' }, path: '/dev/mailbox.json', headers: { 'x-forwarded-for': '127.0.0.1' } };
      void handler(req as never, res as never, (error?: unknown) => resolve({ status: 500, body: String(error) }));
    });
    expect(answer).toEqual({ status: 403, body: 'The development mailbox is served only to requests from this machine.' });
  });
});
