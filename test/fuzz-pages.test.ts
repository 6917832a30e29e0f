import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerBuild } from '@remix-run/node';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { onCleanup } from './setup/cleanup';
import { insertUser, signupInput } from './helpers/factories';
import { changedTables, createSnapshotter, postForms, samePageLinks, urlencoded } from './helpers/fuzz';
import { startFullStack } from './helpers/web';

/**
 * Issue #13 point 4: every page of the built Remix app, signed in as an Owner, with bad URL
 * parameters and broken form posts. No answer may be a 5xx, an id that is unknown or another
 * tenant's is a 404, and a broken post changes no row. Plain fetch, no redirects followed: this is
 * about status codes, not about what a browser shows.
 */

type Stack = Awaited<ReturnType<typeof startFullStack>>;
type Expectation = 'refuse' | 'tolerate' | 404;
type Check = { label: string; method: string; url: string; headers?: Record<string, string>; body?: string; expect: Expectation };

let stack: Stack;
let url: string;
let cookie: string;
let build: ServerBuild;
const ids = { member: '', active: '', bot: '', otherTenantUser: '', otherTenantBot: '' };
let snapshotter: Awaited<ReturnType<typeof createSnapshotter>>;
let jobsClient: pg.Client;

const trpc = async (procedure: string, input: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${url}/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url, ...headers },
    body: JSON.stringify(input),
  });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`${procedure}: ${response.status} ${JSON.stringify(body)}`);
  return { data: body.result.data, cookie: response.headers.get('set-cookie')?.split(';')[0] };
};

/** A workspace signed up over HTTP, with a member and an API user with the Integration role. */
async function workspace() {
  const input = signupInput();
  const { data, cookie: owner } = await trpc('auth.signup', input);
  await stack.app.database.owner('seat_pools').where({ tenantId: data.tenant.id, seatType: 'api' }).update({ included: 3 });
  const asOwner = { cookie: owner! };
  const member = (await trpc('users.create', { kind: 'standard', email: `member@${input.slug}.test`, firstName: 'Mem', lastName: 'Ber' }, asOwner)).data;
  const bot = (await trpc('users.create', { kind: 'api', email: `bot@${input.slug}.test`, firstName: 'Build', lastName: 'Bot' }, asOwner)).data;
  await trpc('apiKeys.create', { userId: bot.id, name: 'existing key' }, asOwner);
  // Invited users get no password actions: an active one with a password shows them.
  const active = await insertUser(stack.app, data.tenant.id, { email: `active@${input.slug}.test` });
  return { cookie: owner!, owner: data.user.id as string, member: member.id as string, active: active.id, bot: bot.id as string };
}

/**
 * The worker sends the emails the set-up enqueued (writing jobs, mail and links) on its own time:
 * a snapshot is only meaningful once it has nothing left to do.
 */
async function workerIdle() {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { rows } = await jobsClient.query(`select count(*)::int as n from pgboss.job where state in ('created', 'retry', 'active')`);
    if (rows[0].n === 0) return;
    if (Date.now() > deadline) throw new Error(`the worker still has ${rows[0].n} jobs after 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  const unlimited = '1000000';
  stack = await startFullStack({ SIGN_IN_RATE_LIMIT: unlimited, PASSWORD_RESET_RATE_LIMIT: unlimited, SIGNUP_RATE_LIMIT: unlimited, API_KEY_RATE_LIMIT: unlimited });
  url = stack.url;
  build = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as ServerBuild;
  const mine = await workspace();
  const other = await workspace();
  cookie = mine.cookie;
  Object.assign(ids, { member: mine.member, active: mine.active, bot: mine.bot, otherTenantUser: other.member, otherTenantBot: other.bot });
  // pg-boss's own timers (maintenance, cron monitor) stamp pgboss.version whatever the requests do.
  snapshotter = await createSnapshotter(stack.app.database.url, { exclude: ['pgboss.version'] });
  jobsClient = new pg.Client({ connectionString: stack.app.database.url });
  await jobsClient.connect();
  onCleanup(() => jobsClient.end());
});

/** Every page route of the build, as a URL path with its parameters filled in. */
function pageRoutes() {
  const routes = Object.values(build.routes);
  const fullPath = (id: string): string => {
    const route = build.routes[id];
    const parent = route.parentId ? fullPath(route.parentId) : '';
    return [parent, route.path ?? ''].filter(Boolean).join('/');
  };
  return routes
    .filter((route) => route.id !== 'root' && (route.path !== undefined || route.index))
    .map((route) => ({
      id: route.id,
      pattern: `/${fullPath(route.id)}`,
      hasLoader: Boolean(route.module.loader),
      hasAction: Boolean(route.module.action),
      source: readFileSync(path.resolve('app', `${route.id}.tsx`), 'utf8'),
    }));
}

const fill = (pattern: string, id: string) => pattern.replace(':id', id).replace(':token', 'x'.repeat(43));

/** The search parameters a route (or its layout) reads, from its own source. */
function paramsRead(source: string) {
  return [...new Set([...source.matchAll(/\.get\('([A-Za-z_]+)'\)/g)].map((m) => m[1]))];
}

const BAD_VALUES = ['%00', 'a%00b', '%ED%A0%80', 'x'.repeat(300), 'WyJhYmMiXQ', '0000-01-01T00:00:00Z', '%2B275760-09-13T00:00:00Z', '-1', '1e308', 'bogus', '%25', '%'];

async function run(checks: Check[]) {
  const findings: string[] = [];
  const counts = { requests: 0, fiveHundreds: 0 };
  for (const check of checks) {
    await workerIdle();
    const before = await snapshotter.snapshot();
    const response = await fetch(check.url, { method: check.method, headers: { cookie, origin: url, ...check.headers }, body: check.body, redirect: 'manual' });
    const text = await response.text();
    counts.requests += 1;
    const what = `${check.label}: ${check.method} ${check.url.replace(url, '')}${check.body !== undefined ? ` ${JSON.stringify(check.body.slice(0, 200))}` : ''} → ${response.status}`;
    if (response.status >= 500) {
      counts.fiveHundreds += 1;
      findings.push(`${what} (5xx) ${text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 300)}`);
    }
    if (check.expect === 404 && response.status !== 404) findings.push(`${what}: expected 404`);
    if (check.expect === 'refuse' && (response.status < 400 || response.status >= 500)) findings.push(`${what}: expected a 4xx refusal`);
    // A broken post must change nothing; a page view never should.
    if (check.expect !== 'tolerate' || check.method === 'GET') {
      await workerIdle();
      const changed = changedTables(before, await snapshotter.snapshot());
      if (changed.length) findings.push(`${what}: rows changed in ${changed.join(', ')}`);
    }
  }
  return { findings, counts };
}

describe('fuzzing every page (issue #13)', () => {
  it('finds every page route of the build', () => {
    const routes = pageRoutes();
    // 16 pages today (app/routes has 17 files; _app is the pathless layout around the app's pages).
    expect(routes.length).toBeGreaterThanOrEqual(16);
    expect(routes.map((r) => r.pattern)).toEqual(expect.arrayContaining(['/users/:id', '/settings', '/reset-password/:token', '/invite/:token', '/logout']));
  });

  it('bad URL parameters: no 5xx, and an unknown or another tenant’s id is a 404', { timeout: 120_000 }, async () => {
    const routes = pageRoutes();
    const layout = readFileSync(path.resolve('app/routes/_app.tsx'), 'utf8');
    const checks: Check[] = [];
    const get = (label: string, target: string, expectation: Expectation = 'tolerate') => checks.push({ label, method: 'GET', url: `${url}${target}`, expect: expectation });
    for (const route of routes) {
      const page = fill(route.pattern, ids.member);
      get('page', page);
      // Remix's data requests run the same loaders and answer with their status.
      get('data request', `${page}?_data=${encodeURIComponent(route.id)}`);
      const params = paramsRead(route.source + (route.id.startsWith('routes/_app.') ? layout : ''));
      // Each parameter meets half of the bad values, alternating (the suite's time budget): a page
      // that reads two or more parameters meets every value, and so does a parameter read by several pages.
      params.forEach((param, i) => BAD_VALUES.forEach((value, j) => (i + j + route.pattern.length) % 2 === 0 && get(`bad ${param}`, `${page}?${param}=${value}`)));
      for (const value of ['%00', '%ED%A0%80']) get('NUL or surrogate in every parameter', `${page}?${params.map((p) => `${p}=${value}`).join('&')}`);
      if (route.pattern.includes(':token')) {
        for (const token of ['%00', 'x', 'x'.repeat(5000), '%E2%80%AE', '..%2F..']) get('odd token', route.pattern.replace(':token', token));
      }
    }
    // The cases issue #13 names.
    const unknown = randomUUID();
    for (const tab of ['', '?tab=history', '?tab=audit', '?tab=keys', '?tab=status&to=banned']) {
      get('unknown user', `/users/${unknown}${tab}`, 404);
      get('another tenant’s user', `/users/${ids.otherTenantUser}${tab}`, 404);
      get('another tenant’s API user', `/users/${ids.otherTenantBot}${tab}`, 404);
      get('not a uuid', `/users/not-a-uuid${tab}`, 404);
    }
    for (const id of ['%00', '00000000-0000-0000-0000-000000000000', `${unknown}x`, 'x'.repeat(300), '..%2F..%2Fetc%2Fpasswd', '%E2%80%AE']) get('odd user id', `/users/${id}`, 404);
    // Addresses that are not valid percent-encoding (a lone surrogate's bytes, a cut-off escape):
    // the client's mistake, a 4xx whichever layer notices.
    for (const target of ['/users/%ED%A0%80', '/invite/%ED%A0%80', '/reset-password/%E0%A4%A', '/%ff', '/users/%', '/settings%C0%AF', '/login/%ED%BF%BF']) {
      get('malformed percent-encoding', target, 'refuse');
    }
    get('another tenant’s user, data request', `/users/${ids.otherTenantUser}?_data=routes%2F_app.users.%24id`, 404);
    for (const query of ['status=bogus', 'sort=evil', 'roleId=abc', `q=${'x'.repeat(300)}`, 'kind=gold', 'cursor=WyJhYmMiXQ', 'sort=created&cursor=WyJhYmMiXQ', 'q=%00', 'q=%25%5F%5C']) get('users list', `/users?${query}`);
    for (const query of ['previewDays=abc', 'previewDays=-1', 'previewDays=1e308', 'previewWarningDays=abc', 'previewDays=%00']) get('settings preview', `/settings?${query}`);
    for (const tab of ['history', 'audit']) {
      for (const cursor of ['WyJhYmMiXQ', Buffer.from('[1.5]').toString('base64url'), Buffer.from('[1e308]').toString('base64url'), '%00']) {
        get(`${tab} cursor`, `/users/${ids.member}?tab=${tab}&cursor=${cursor}`);
      }
    }
    for (const query of ['from=0000-01-01T00:00:00Z', 'to=%2B275760-09-13T00:00:00Z', 'actorId=%00', 'targetId=not-a-uuid', 'action=%00', 'cursor=WyJhYmMiXQ']) get('audit filters', `/audit?${query}`);
    get('lazy route discovery', '/__manifest?p=%00&version=garbage');
    get('lazy route discovery', `/__manifest?${Array.from({ length: 50 }, (_, i) => `p=/users/${i}`).join('&')}&version=x`);

    const { findings, counts } = await run(checks);
    console.log(`fuzz-pages (GET): ${routes.length} pages × ${counts.requests} requests, 5xx found: ${counts.fiveHundreds}, findings: ${findings.length}`);
    for (const finding of findings) console.log(finding);
    expect(findings).toEqual([]);
  });

  it('broken posts to every page with an action: no 5xx, a 4xx, and no row changed', { timeout: 120_000 }, async () => {
    const routes = pageRoutes().filter((route) => route.hasAction);
    const checks: Check[] = [];
    const post = (label: string, target: string, contentType: string, body: string, expectation: Expectation, method = 'POST') =>
      checks.push({ label, method, url: target, headers: { 'content-type': contentType }, body, expect: expectation });
    const boundary = '----fuzzB0undary7MA4YWxk';
    let forms = 0;
    for (const route of routes) {
      // An invited and an active member's pages hold the user forms; the API user's adds the key forms.
      const pages = route.pattern === '/users/:id' ? [ids.member, ids.active, ids.bot].map((id) => fill(route.pattern, id)) : [fill(route.pattern, ids.member)];
      for (const page of pages) {
        const target = `${url}${page}${route.id.endsWith('_index') ? '?index' : ''}`;
        post('JSON body', target, 'application/json', '{"intent":"update","firstName":"x","name":"x"}', 'refuse');
        post('JSON body with NUL', target, 'application/json', '{"intent":"a\\u0000","name":"\\ud800"}', 'refuse');
        post('text/plain body', target, 'text/plain', 'intent=update&name=x', 'refuse');
        post('broken multipart', target, `multipart/form-data; boundary=${boundary}`, `--${boundary}\r\nContent-Disposition: form-data; name="intent"\r\n\r\nupd`, 'refuse');
        post('multipart garbage', target, `multipart/form-data; boundary=${boundary}`, 'garbage \u0000\u0001 not multipart', 'refuse');
        post('multipart without a boundary', target, 'multipart/form-data', 'x', 'refuse');
        for (const method of ['PUT', 'PATCH', 'DELETE']) post(`${method} with JSON`, target, 'application/json', '{}', 'refuse', method);

        // The page's own forms, on each of its tabs and their links (a status change's confirmation),
        // sent as a browser would, with one field broken at a time.
        const visited = new Map<string, string>();
        const queue = [`${url}${page}`];
        while (queue.length && visited.size < 40) {
          const next = queue.shift()!;
          if (visited.has(next)) continue;
          const html = await (await fetch(next, { headers: { cookie }, redirect: 'manual' })).text();
          visited.set(next, html);
          queue.push(...samePageLinks(html, next).filter((link) => !visited.has(link) && !new URL(link).searchParams.has('cursor')));
        }
        const seen = new Set<string>();
        for (const [pageUrl, pageHtml] of visited) {
          for (const form of postForms(pageHtml, pageUrl)) {
            const key = `${new URL(form.action).pathname} ${form.fields.filter(([n]) => n === 'intent').join()} ${form.names.join()}`;
            if (seen.has(key)) continue;
            seen.add(key);
            // Signing out has no field to break, and it rightly ends the session whatever is sent.
            if (new URL(form.action).pathname === '/logout') continue;
            forms += 1;
            for (const name of form.names) {
              post(`form ${key}: NUL in ${name}`, form.action, 'application/x-www-form-urlencoded', urlencoded(form.fields, { name, encoded: 'a%00b' }), 'refuse');
              // A lone surrogate cannot survive form decoding: the server reads U+FFFD, ordinary text
              // it may store. Only the server's health is at stake.
              post(`form ${key}: lone surrogate in ${name}`, form.action, 'application/x-www-form-urlencoded', urlencoded(form.fields, { name, encoded: '%ED%A0%80' }), 'tolerate');
            }
            if (form.fields.some(([n, v]) => n === 'intent' && v === 'createKey')) {
              for (const expiresAt of ['garbage', '0000-01-01', '275760-09-13', '2026-02-30', '%00', '2026-01-01T00:00:00Z']) {
                post(`createKey expiresAt=${expiresAt}`, form.action, 'application/x-www-form-urlencoded', urlencoded([...form.fields.filter(([n]) => n !== 'name'), ['name', 'fuzz key']], { name: 'expiresAt', encoded: expiresAt }), 'refuse');
              }
            }
          }
        }
      }
    }
    // Without its forms every per-field post would be missing and the test would pass on nothing.
    expect(forms).toBeGreaterThanOrEqual(15);
    const { findings, counts } = await run(checks);
    console.log(`fuzz-pages (POST): ${routes.length} pages with actions, ${forms} forms × ${counts.requests} requests, 5xx found: ${counts.fiveHundreds}, findings: ${findings.length}`);
    for (const finding of findings) console.log(finding);
    expect(findings).toEqual([]);
  });
});
