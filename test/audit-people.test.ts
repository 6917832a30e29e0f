import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerBuild } from '@remix-run/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, memoryCookies, startHttp, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { insertUser, signUp, signupInput } from './helpers/factories';

let app: TestApp;
let url: string;

beforeAll(async () => {
  app = await createTestApp();
  const remixBuild = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as ServerBuild;
  ({ url } = await startHttp(app.deps, { remixBuild }));
});

/** A workspace with two Graces, an Alan, and an API user whose key acted. */
async function workspace() {
  const ws = await signUp(app);
  const { owner, tenant } = ws;
  await app.database.owner('seat_pools').where({ tenantId: tenant.id }).update({ included: 6 });
  const person = (firstName: string, lastName: string) =>
    owner.users.create({ kind: 'standard', email: `${firstName}.${lastName}@${tenant.slug}.test`.toLowerCase(), firstName, lastName });
  const hopper = await person('Grace', 'Hopper');
  const kelly = await person('Grace', 'Kelly');
  const alan = await person('Alan', 'Turing');
  const bot = await owner.users.create({ kind: 'api', email: `bot@${tenant.slug}.test`, firstName: 'Build', lastName: 'Bot' });
  const key = await owner.apiKeys.create({ userId: bot.id, name: 'nightly' });
  // What the key did, as the procedures record it: the key's id is the actor.
  await app.database.owner('audit_events').insert({ tenantId: tenant.id, actorType: 'api_key', actorId: key.id, actorLabel: key.prefix, action: 'user.updated', targetType: 'user', targetId: alan.id, after: JSON.stringify({ firstName: 'Alan' }) });
  return { ...ws, hopper, kelly, alan, bot };
}

const targets = (items: { targetId: string | null }[]) => [...new Set(items.map((e) => e.targetId))].sort();

describe('audit.list: actor and target picked by name or email (issue #18)', () => {
  it('an exact email, user name or name picks one person; part of a name lists every match as choices; nobody lists nothing', async () => {
    const { owner, hopper, kelly, alan } = await workspace();

    const both = await owner.audit.list({ target: 'grace' });
    expect(both.target!.people.map((p) => p.displayName)).toEqual(['Grace Hopper', 'Grace Kelly']);
    expect(targets(both.items)).toEqual([hopper.id, kelly.id].sort());

    const byEmail = await owner.audit.list({ target: `  ${kelly.email.toUpperCase()} ` });
    expect(byEmail.target).toEqual({ query: kelly.email.toUpperCase(), people: [{ id: kelly.id, displayName: 'Grace Kelly', email: kelly.email }], more: false });
    expect(targets(byEmail.items)).toEqual([kelly.id]);

    expect(targets((await owner.audit.list({ target: 'grace hopper' })).items)).toEqual([hopper.id]);

    const nobody = await owner.audit.list({ target: 'Nobody Here' });
    expect(nobody).toMatchObject({ items: [], target: { people: [] } });

    // An id still wins over a typed name, and comes back with the person's name.
    const byId = await owner.audit.list({ targetId: alan.id, target: 'grace' });
    expect(byId.target!.query).toBe('Alan Turing');
    expect(targets(byId.items)).toEqual([alan.id]);
  });

  it('an actor by name includes what their API keys did; a percent sign is a character, not a wildcard', async () => {
    const { owner, bot, alan, input } = await workspace();
    const botEvents = await owner.audit.list({ actor: 'Build Bot' });
    expect(botEvents.items.map((e) => [e.actorType, e.action, e.targetId])).toEqual([['api_key', 'user.updated', alan.id]]);
    const ada = await owner.audit.list({ actor: input.email });
    expect(ada.items.length).toBeGreaterThan(5);
    expect(ada.items.every((e) => e.actorType === 'user' && e.actorName === 'Ada Lovelace')).toBe(true);
    expect((await owner.audit.list({ actor: '%' })).actor!.people).toEqual([]);
    expect(bot.id).toBeTruthy();
  });

  it('suggests people as a name is typed, to whoever may read the log only; bad input is a clear 400', async () => {
    const { owner, tenant, hopper } = await workspace();
    expect((await owner.audit.people({ q: 'hop' })).people).toEqual([{ id: hopper.id, displayName: 'Grace Hopper', email: hopper.email }]);
    // Another workspace's Grace is never suggested.
    const other = await signUp(app, { firstName: 'Grace', lastName: 'Other' });
    expect((await other.owner.audit.people({ q: 'Grace' })).people.map((p) => p.displayName)).toEqual(['Grace Other']);

    expect(await refusal(owner.audit.people({ q: '  ' }))).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { q: ['Type part of a name or email'] } });
    expect(await refusal(owner.audit.list({ actor: 'x'.repeat(201) }))).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { actor: ['Use at most 200 characters'] } });

    const member = await insertUser(app, tenant.id, { email: `member@${tenant.slug}.test` });
    const cookies = memoryCookies();
    await (await app.caller(cookies)).auth.login({ workspace: tenant.slug, email: member.email, password: 'another good password' });
    expect((await refusal((await app.caller(cookies)).audit.people({ q: 'Grace' }))).code).toBe('FORBIDDEN');
  });
});

/** Signs up over HTTP and returns the session cookie for page requests. */
async function session() {
  const input = signupInput({ companyName: 'Zones KK' });
  const response = await fetch(`${url}/trpc/auth.signup`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url }, body: JSON.stringify(input) });
  expect(response.status).toBe(200);
  const body = await response.json();
  return { cookie: response.headers.get('set-cookie')!.split(';')[0], tenantId: body.result.data.tenant.id as string, userId: body.result.data.user.id as string, input };
}
const page = async (cookie: string, route: string) => {
  const response = await fetch(`${url}${route}`, { headers: { cookie }, redirect: 'manual' });
  return { status: response.status, html: (await response.text()).replace(/[\u202f\u00a0]/g, ' ').replace(/<!-- -->/g, '') };
};

describe('pages show times in the person’s own zone and locale (SPEC "Users")', () => {
  it('the audit log in Asia/Tokyo + ja-JP, the ISO instant kept; filters by name without JavaScript; a broken stored zone falls back to UTC', async () => {
    const { cookie, tenantId, userId, input } = await session();
    const update = await fetch(`${url}/trpc/me.updateProfile`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url, cookie },
      body: JSON.stringify({ firstName: 'Ada', lastName: 'Lovelace', timeZone: 'Asia/Tokyo', locale: 'ja-JP' }),
    });
    expect(update.status).toBe(200);
    await app.database.owner('audit_events').insert({ tenantId, actorType: 'user', actorId: userId, actorLabel: input.email, action: 'role.created', after: JSON.stringify({ name: 'Night shift' }), createdAt: new Date('2026-12-01T13:32:00Z') });

    const audit = await page(cookie, '/audit');
    expect(audit.status).toBe(200);
    expect(audit.html).toMatch(/<time datetime="2026-12-01T13:32:00.000Z"[^>]*>2026年12月1日 22:32 JST<\/time>/i);

    const byName = await page(cookie, `/audit?actor=${encodeURIComponent('ada lovelace')}&action=role.`);
    expect(byName.html).toContain('Ada Lovelace created the role Night shift');
    const nobody = await page(cookie, '/audit?actor=Nobody');
    expect(nobody.html).toContain('Actor: nobody in this workspace matches “Nobody”.');
    expect(nobody.html).not.toContain('Night shift');
    // The suggestions the field loads as a name is typed (with JavaScript).
    const suggestions = await fetch(`${url}/audit/people?q=lovel`, { headers: { cookie } });
    expect(await suggestions.json()).toEqual({ people: [{ id: userId, displayName: 'Ada Lovelace', email: input.email }], more: false });
    const tooLong = await page(cookie, `/audit?target=${'x'.repeat(201)}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.html).toContain('Use at most 200 characters');

    // Values written before today's checks (or by hand) never break a page: UTC and en-US.
    await app.database.owner('users').where({ id: userId }).update({ timeZone: 'Mars/Olympus_Mons', locale: 'zz-not-a-locale' });
    const fallback = await page(cookie, '/audit');
    expect(fallback.status).toBe(200);
    expect(fallback.html).toContain('>Dec 1, 2026, 1:32 PM UTC</time>');
    expect((await page(cookie, '/login-history')).status).toBe(200);
  });
});
