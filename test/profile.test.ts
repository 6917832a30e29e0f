import { beforeAll, describe, expect, it } from 'vitest';
import { updateProfileInput } from '../server/contract/me';
import { createTestApp, memoryCookies, startHttp, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { insertUser, signUp } from './helpers/factories';

let app: TestApp;
let url: string;

beforeAll(async () => {
  app = await createTestApp();
  ({ url } = await startHttp(app.deps));
});

const profileOf = (user: { firstName: string; lastName: string; timeZone: string; locale: string }) => ({
  firstName: user.firstName,
  lastName: user.lastName,
  timeZone: user.timeZone,
  locale: user.locale,
});

async function auditOf(userId: string) {
  return app.database.owner('audit_events').where({ targetId: userId, action: 'user.profile_updated' }).orderBy('createdAt');
}

/** A Member (no users.* permission) signed in with their own session. */
async function member() {
  const ws = await signUp(app);
  const password = 'a member password';
  const user = await insertUser(app, ws.tenant.id, { email: `member@${ws.tenant.slug}.test`, password });
  const cookies = memoryCookies();
  await (await app.caller(cookies)).auth.login({ workspace: ws.tenant.slug, email: user.email, password });
  return { ...ws, member: await app.caller(cookies), memberId: user.id };
}

describe('me.profile and me.updateProfile', () => {
  it('shows the signed-in person their own public fields, never the password hash', async () => {
    const { owner, user } = await signUp(app);
    const profile = await owner.me.profile();
    expect(profile).toMatchObject({ id: user.id, firstName: 'Ada', lastName: 'Lovelace', displayName: 'Ada Lovelace', timeZone: 'UTC', locale: 'en' });
    expect(profile).not.toHaveProperty('passwordHash');
  });

  it('updates names, time zone and locale, audits exactly what changed, and writes nothing when nothing changed', async () => {
    const { owner, user } = await signUp(app);
    const updated = await owner.me.updateProfile({ firstName: 'Augusta', lastName: 'King', displayName: 'Countess', timeZone: 'Europe/Paris', locale: 'fr' });
    expect(updated).toMatchObject({ id: user.id, firstName: 'Augusta', lastName: 'King', displayName: 'Countess', timeZone: 'Europe/Paris', locale: 'fr' });
    expect(updated).not.toHaveProperty('passwordHash');
    const stored = (await app.database.owner('users').where({ id: user.id }).first())!;
    expect(stored).toMatchObject({ firstName: 'Augusta', lastName: 'King', displayName: 'Countess', timeZone: 'Europe/Paris', locale: 'fr' });

    const [event] = await auditOf(user.id);
    expect(event).toMatchObject({ actorType: 'user', actorId: user.id, targetType: 'user', targetId: user.id });
    expect(event.before).toEqual({ firstName: 'Ada', lastName: 'Lovelace', displayName: 'Ada Lovelace', timeZone: 'UTC', locale: 'en' });
    expect(event.after).toEqual({ firstName: 'Augusta', lastName: 'King', displayName: 'Countess', timeZone: 'Europe/Paris', locale: 'fr' });
    // The Owner reads the same event in the audit log.
    const [listed] = (await owner.audit.list({ targetId: user.id })).items.filter((e) => e.action === 'user.profile_updated');
    expect(listed).toMatchObject({ action: 'user.profile_updated', after: { timeZone: 'Europe/Paris' } });

    // Only the time zone moves: only it is written and audited.
    app.clock.advance(1000);
    await owner.me.updateProfile({ firstName: 'Augusta', lastName: 'King', displayName: 'Countess', timeZone: 'America/New_York', locale: 'fr' });
    const events = await auditOf(user.id);
    expect(events).toHaveLength(2);
    expect(events[1].before).toEqual({ timeZone: 'Europe/Paris' });
    expect(events[1].after).toEqual({ timeZone: 'America/New_York' });

    // The same values again: no write (updatedAt stays), no audit.
    const before = (await app.database.owner('users').where({ id: user.id }).first())!;
    app.clock.advance(1000);
    const same = await owner.me.updateProfile({ firstName: 'Augusta', lastName: 'King', displayName: 'Countess', timeZone: 'America/New_York', locale: 'fr' });
    expect(same).toMatchObject(profileOf(before));
    const after = (await app.database.owner('users').where({ id: user.id }).first())!;
    expect(after.updatedAt).toEqual(before.updatedAt);
    expect(await auditOf(user.id)).toHaveLength(2);
  });

  it('a blank or absent display name becomes the first and last name', async () => {
    const { owner } = await signUp(app);
    expect((await owner.me.updateProfile({ firstName: 'Grace', lastName: 'Hopper', displayName: '  ', timeZone: 'UTC', locale: 'en' })).displayName).toBe('Grace Hopper');
    await owner.me.updateProfile({ firstName: 'Grace', lastName: 'Hopper', displayName: 'Amazing Grace', timeZone: 'UTC', locale: 'en' });
    expect((await owner.me.updateProfile({ firstName: 'Grace', lastName: 'Brewster', timeZone: 'UTC', locale: 'en' })).displayName).toBe('Grace Brewster');
  });

  it('refuses a time zone off the IANA list and a malformed locale, by field, and changes nothing', async () => {
    const { owner, user, cookies } = await signUp(app);
    const bad = await refusal(owner.me.updateProfile({ firstName: 'Ada', lastName: 'Lovelace', timeZone: 'Mars/Olympus', locale: 'en' }));
    expect(bad.code).toBe('BAD_REQUEST');
    expect(bad.fieldErrors).toEqual({ timeZone: [expect.stringMatching(/time zone/i)] });
    const locale = await refusal(owner.me.updateProfile({ firstName: 'Ada', lastName: 'Lovelace', timeZone: 'UTC', locale: 'not a locale!' }));
    expect(Object.keys(locale.fieldErrors)).toEqual(['locale']);
    const blank = await refusal(owner.me.updateProfile({ firstName: ' ', lastName: 'Lovelace', timeZone: 'UTC', locale: 'en' }));
    expect(blank.fieldErrors).toEqual({ firstName: ['Required'] });

    // Over HTTP, as a browser's session would send it: a 400 that names the field.
    const cookie = [...cookies.values].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(`${url}/trpc/me.updateProfile`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: url },
      body: JSON.stringify({ firstName: 'Ada', lastName: 'Lovelace', timeZone: 'Mars/Olympus', locale: 'en' }),
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.data.fieldErrors.timeZone).toHaveLength(1);
    expect(body.error.message).toMatch(/^timeZone: /);

    expect((await app.database.owner('users').where({ id: user.id }).first())!.timeZone).toBe('UTC');
    expect(await auditOf(user.id)).toHaveLength(0);
  });

  it('offers the IANA list: every listed zone passes, UTC included; aliases and offsets do not', () => {
    const parse = (timeZone: string) => updateProfileInput.safeParse({ firstName: 'A', lastName: 'B', timeZone, locale: 'en' }).success;
    for (const zone of Intl.supportedValuesOf('timeZone')) expect(parse(zone), zone).toBe(true);
    expect(parse('UTC')).toBe(true);
    expect(parse('Mars/Olympus')).toBe(false);
    expect(parse('+02:00')).toBe(false);
    // A zone Intl knows but the list does not offer (an old alias) is named as such.
    const alias = updateProfileInput.safeParse({ firstName: 'A', lastName: 'B', timeZone: 'US/Eastern', locale: 'en' });
    expect(alias.error?.issues.map((i) => i.message)).toEqual(['Choose a time zone from the list, such as Europe/Paris']);
    expect(parse('')).toBe(false);
  });

  it('a Member, without any users permission, edits their own profile', async () => {
    const { member: caller, memberId, owner, user: ownerUser } = await member();
    const updated = await caller.me.updateProfile({ firstName: 'Mia', lastName: 'Member', timeZone: 'Asia/Tokyo', locale: 'ja' });
    expect(updated).toMatchObject({ id: memberId, firstName: 'Mia', timeZone: 'Asia/Tokyo', locale: 'ja' });
    // The Member cannot use the admin's path, and this path has no id to aim at anyone else.
    expect((await refusal(caller.users.update({ id: ownerUser.id, firstName: 'Hacked' }))).code).toBe('FORBIDDEN');
    expect(updateProfileInput.shape).not.toHaveProperty('id');
    const sneaky = await caller.me.updateProfile({ id: ownerUser.id, firstName: 'Hacked', lastName: 'Owner', timeZone: 'UTC', locale: 'en' } as never);
    expect(sneaky.id).toBe(memberId);
    expect((await owner.me.profile()).firstName).toBe('Ada');
    expect((await app.database.owner('users').where({ id: ownerUser.id }).first())!.firstName).toBe('Ada');
  });

  it('signed out: UNAUTHORIZED', async () => {
    const anonymous = await app.caller();
    expect((await refusal(anonymous.me.profile())).code).toBe('UNAUTHORIZED');
    expect((await refusal(anonymous.me.updateProfile({ firstName: 'A', lastName: 'B', timeZone: 'UTC', locale: 'en' }))).code).toBe('UNAUTHORIZED');
  });

  it('an API key has no profile: BAD_REQUEST, and the API user is left as it was', async () => {
    const ws = await signUp(app);
    await app.database.owner('seat_pools').where({ tenantId: ws.tenant.id, seatType: 'api' }).update({ included: 1 });
    const bot = await ws.owner.users.create({ kind: 'api', email: `bot@${ws.tenant.slug}.test`, firstName: 'Build', lastName: 'Bot' });
    const { key } = await ws.owner.apiKeys.create({ userId: bot.id, name: 'profile test' });
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

    const read = await fetch(`${url}/trpc/me.profile`, { headers });
    expect(read.status).toBe(400);
    expect((await read.json()).error).toMatchObject({ message: 'API keys have no profile', data: { code: 'BAD_REQUEST', reason: 'NO_PROFILE' } });

    const write = await fetch(`${url}/trpc/me.updateProfile`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ firstName: 'Evil', lastName: 'Bot', timeZone: 'Europe/Paris', locale: 'fr' }),
    });
    expect(write.status).toBe(400);
    expect((await write.json()).error.message).toBe('API keys have no profile');
    expect((await app.database.owner('users').where({ id: bot.id }).first())!).toMatchObject({ firstName: 'Build', timeZone: 'UTC' });
    expect(await auditOf(bot.id)).toHaveLength(0);
  });
});
