import { readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { ServerBuild } from '@remix-run/node';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, startHttp, type TestApp } from './helpers/app';
import { signupInput } from './helpers/factories';

let app: TestApp;
let url: string;
const logLines: string[] = [];

beforeAll(async () => {
  app = await createTestApp();
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const remixBuild = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as ServerBuild;
  ({ url } = await startHttp({ ...app.deps, log: pino({ level: 'info' }, sink) }, { remixBuild }));
});

const postJson = (route: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** The raw bytes on the wire, as node:http receives them (fetch would decompress them). */
function rawGet(route: string, headers: Record<string, string>) {
  return new Promise<{ encoding: string | undefined; bytes: number }>((resolve, reject) => {
    http
      .get(`${url}${route}`, { headers }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ encoding: res.headers['content-encoding'], bytes }));
      })
      .on('error', reject);
  });
}

describe('HTTP surface', () => {
  it('answers /favicon.ico with the SVG icon, not an error page', async () => {
    const response = await fetch(`${url}/favicon.ico`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/favicon.svg');
    const icon = await fetch(`${url}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
  });

  it('compresses what it sends when the client accepts it: scripts, pages, API answers', async () => {
    // The largest script of the build: the one a first visit pays most for.
    const scripts = readdirSync('public/build', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    const script = scripts.sort((a, b) => statSync(path.join('public/build', b)).size - statSync(path.join('public/build', a)).size)[0];
    const size = statSync(path.join('public/build', script)).size;
    expect(size).toBeGreaterThan(50_000);
    const plain = await rawGet(`/build/${script}`, {});
    expect(plain).toEqual({ encoding: undefined, bytes: size });
    const packed = await rawGet(`/build/${script}`, { 'accept-encoding': 'gzip' });
    expect(packed.encoding).toBe('gzip');
    expect(packed.bytes).toBeLessThan(size * 0.6);
    expect((await rawGet('/signup', { 'accept-encoding': 'gzip, deflate, br' })).encoding).toMatch(/^(br|gzip)$/);
  });

  it('/healthz answers 200 after a database round trip', async () => {
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('sends security headers', async () => {
    const response = await fetch(`${url}/signup`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('signs up over plain JSON tRPC and sets an httpOnly, SameSite=Lax session cookie', async () => {
    const input = signupInput();
    const response = await postJson('/trpc/auth.signup', input);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.result.data.tenant.slug).toBe(input.slug);
    expect(typeof body.result.data.user.createdAt).toBe('string');
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^seatwise_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');

    const me = await fetch(`${url}/trpc/auth.me`, { headers: { cookie: cookie.split(';')[0] } });
    expect(me.status).toBe(200);
    expect((await me.json()).result.data.user.email).toBe(input.email);
  });

  it('never writes the password to the logs', async () => {
    const input = signupInput({ password: 'a-very-unusual-secret-9876' });
    await postJson('/trpc/auth.signup', input);
    await postJson('/trpc/auth.signup', { ...input, email: 'bad' });
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('')).not.toContain('a-very-unusual-secret-9876');
  });

  it('refuses mutations over GET', async () => {
    const input = encodeURIComponent(JSON.stringify(signupInput()));
    const response = await fetch(`${url}/trpc/auth.signup?input=${input}`);
    expect(response.status).toBe(405);
    expect(await app.database.owner('tenants').where({ name: 'never' })).toEqual([]);
  });

  it('refuses a cross-site mutation that carries a session cookie, and changes nothing', async () => {
    const signup = await postJson('/trpc/auth.signup', signupInput());
    const cookie = signup.headers.get('set-cookie')!.split(';')[0];
    const before = await app.database.owner('tenants').count({ n: '*' });
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example' }] as Record<string, string>[]) {
      const response = await postJson('/trpc/auth.signup', signupInput(), { cookie, ...headers });
      expect(response.status).toBe(403);
      expect((await response.json()).error.message).toBe('Cross-site request refused.');
    }
    expect(await app.database.owner('tenants').count({ n: '*' })).toEqual(before);
  });

  it('the sign-up form works without JavaScript and suggests the address from the company name', async () => {
    const suffix = Date.now().toString(36);
    const form = new URLSearchParams({
      companyName: `Stark Industries ${suffix}`,
      slug: '',
      firstName: 'Tony',
      lastName: 'Stark',
      email: 'tony@stark.test',
      password: 'i am iron man 3000',
    });
    const response = await fetch(`${url}/signup`, { method: 'POST', body: form, redirect: 'manual', headers: { origin: url } });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/dashboard');
    expect(response.headers.get('set-cookie')).toMatch(/^seatwise_session=/);
    const tenant = (await app.database.owner('tenants').where({ slug: `stark-industries-${suffix}` }).first())!;
    expect(tenant.name).toBe(`Stark Industries ${suffix}`);

    const dashboard = await fetch(`${url}/dashboard`, { headers: { cookie: response.headers.get('set-cookie')!.split(';')[0] } });
    const html = await dashboard.text();
    expect(html).toContain('1 of 3 used');
  });

  it('the sign-up form shows field errors with status 400 and keeps what was typed', async () => {
    const form = new URLSearchParams({ companyName: 'Umbrella', slug: 'admin', firstName: 'Al', lastName: 'W', email: 'al@umbrella.test', password: 'short' });
    const response = await fetch(`${url}/signup`, { method: 'POST', body: form, headers: { origin: url } });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('This workspace address is reserved');
    expect(html).toContain('Use at least 12 characters');
    expect(html).toContain('value="al@umbrella.test"');
    expect(html).not.toContain('value="short"');
  });

  it('a page inside the app sends a visitor without a session to sign in', async () => {
    const response = await fetch(`${url}/dashboard`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/login?redirectTo=%2Fdashboard');
  });
});
