import { onCleanup } from './setup/cleanup';
import { beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../worker/worker';
import { createTestApp, memoryCookies, silentLog, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { signInAgain, signUp } from './helpers/factories';
import { recipients, startSmtp } from './helpers/smtp';
import type { SeatPoolRow } from '../db/tables';
import { statusOnReactivation } from '../server/contract/statuses';


let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtp>>;

beforeAll(async () => {
  smtp = await startSmtp();
  app = await createTestApp({ SMTP_URL: smtp.url });
  const worker = await startWorker({ env: app.env, log: silentLog, pollingIntervalSeconds: 0.5, now: app.clock.now });
  onCleanup(() => worker.stop());
});

const person = (n: number | string, kind: 'standard' | 'client' | 'api' = 'standard') => ({
  kind,
  email: `person-${n}@example.test`,
  firstName: 'Person',
  lastName: String(n),
});

const setPurchased = (tenantId: string, seatType: SeatPoolRow['seatType'], included: number) =>
  app.database.owner('seat_pools').where({ tenantId, seatType }).update({ included });

describe('the seat rule (SPEC "Seat rule and its messages")', () => {
  it.each([
    ['standard', 0, "You don't have any Purchased User, You need to buy users to create this user"],
    ['standard', 3, 'You have reached Purchased User limit as 3 User, You need to buy more users to create this user'],
    ['client', 0, "You don't have any Purchased Client User, You need to buy more client users to create this user"],
    ['client', 2, 'You have reached Purchased Client User limit as 2 User, You need to buy more client users to create this user'],
    ['api', 0, "You don't have any Purchased Api User, You need to buy more API users to create this user"],
    ['api', 1, 'You have reached Purchased API User limit as 1 User, You need to buy more API users to create this user'],
  ] as const)('refuses a %s user past %i purchased seats with the exact message and data', async (kind, purchased, message) => {
    const { owner, tenant } = await signUp(app);
    await setPurchased(tenant.id, kind, purchased);
    const ownerSeat = kind === 'standard' ? 1 : 0;
    for (let i = ownerSeat; i < purchased; i++) await owner.users.create(person(`${tenant.slug}-${i}`, kind));
    const before = await app.database.owner('users').where({ tenantId: tenant.id }).count({ n: '*' });
    const refused = await refusal(owner.users.create(person(`${tenant.slug}-over`, kind)));
    const used = Math.max(purchased, ownerSeat);
    expect(refused).toMatchObject({ code: 'FORBIDDEN', message, data: { reason: 'SEAT_LIMIT', seatType: kind, purchased, used } });
    expect(await app.database.owner('users').where({ tenantId: tenant.id }).count({ n: '*' })).toEqual(before);
    expect((await owner.seats.summary())[kind]).toMatchObject({ purchased, used, available: 0, overLimit: used > purchased });
  });

  it('uses the "to reactivate this user" variants, and a freed seat can be used again', async () => {
    const { owner, tenant } = await signUp(app);
    const a = await owner.users.create(person(`${tenant.slug}-a`));
    const b = await owner.users.create(person(`${tenant.slug}-b`));
    await owner.users.setStatus({ id: a.id, status: 'deactivated' });
    const c = await owner.users.create(person(`${tenant.slug}-c`));
    const refused = await refusal(owner.users.setStatus({ id: a.id, status: 'active' }));
    expect(refused).toMatchObject({
      code: 'FORBIDDEN',
      message: 'You have reached Purchased User limit as 3 User, You need to buy more users to reactivate this user',
      data: { reason: 'SEAT_LIMIT', seatType: 'standard', purchased: 3, used: 3 },
    });
    const deactivated = await owner.users.get({ id: a.id });
    expect(deactivated.status).toBe('deactivated');
    // The user page's confirmation says where the move lands, from the same rule reactivate() follows.
    expect(statusOnReactivation({ kind: deactivated.kind, hasPassword: deactivated.hasPassword })).toBe('invited');
    await owner.users.setStatus({ id: b.id, status: 'banned', reason: 'Left the company on bad terms' });
    // Never set a password: reactivation brings them back as invited, with a new invitation.
    expect((await owner.users.setStatus({ id: a.id, status: 'active' }))!.status).toBe('invited');
    expect(c.status).toBe('invited');

    await setPurchased(tenant.id, 'api', 0);
    const api = await refusal(owner.users.setStatus({ id: b.id, status: 'active' }));
    expect(api.message).toBe('You have reached Purchased User limit as 3 User, You need to buy more users to reactivate this user');
  });

  it('over the limit after seats are taken away: nobody is removed, creation is refused, the summary says by how many', async () => {
    const { owner, tenant } = await signUp(app);
    await owner.users.create(person(`${tenant.slug}-1`));
    await owner.users.create(person(`${tenant.slug}-2`));
    await setPurchased(tenant.id, 'standard', 1);
    expect((await owner.seats.summary()).standard).toMatchObject({ purchased: 1, used: 3, available: 0, overLimit: true, overBy: 2 });
    expect((await refusal(owner.users.create(person(`${tenant.slug}-3`)))).message).toBe(
      'You have reached Purchased User limit as 1 User, You need to buy more users to create this user',
    );
    expect(await app.database.owner('users').where({ tenantId: tenant.id }).count({ n: '*' })).toEqual([{ n: '3' }]);
  });
});

describe('users.create', () => {
  it('invites a person: invited status, audit event, and an email with a single-use link that activates them', async () => {
    const { owner, tenant } = await signUp(app, { companyName: 'Invite Co' });
    const user = await owner.users.create({ ...person('invitee'), email: 'Invitee@Example.test', userName: 'invitee', timeZone: 'Europe/Paris', locale: 'fr-CA' });
    expect(user).toMatchObject({ status: 'invited', kind: 'standard', timeZone: 'Europe/Paris', locale: 'fr-CA', displayName: 'Person invitee' });
    expect((await owner.users.permissions({ id: user.id })).role.name).toBe('Member');
    const audit = await owner.audit.list({ targetId: user.id });
    expect(audit.items.map((e) => e.action)).toEqual(['user.created']);

    const mail = await smtp.waitFor((m) => recipients(m).includes('invitee@example.test'));
    expect(mail.subject).toBe('Ada Lovelace invited you to Invite Co on Seatwise');
    // SPEC "Users": the expiry in the invitee's own zone (Paris) and locale (fr-CA), as the inviter chose.
    expect(mail.text!.replace(/[\u202f\u00a0]/g, ' ')).toMatch(/It works once, for 7 days \(until \d{1,2} [a-zéû]+\.? \d{4}, \d{1,2} h \d{2} UTC\+[12]\)/);
    const token = /\/invite\/([A-Za-z0-9_-]{43})/.exec(mail.text!)![1];
    const cookies = memoryCookies();
    const accepted = await (await app.caller(cookies)).auth.acceptInvite({ token, password: 'my own good password' });
    expect(accepted.user.status).toBe('active');
    expect((await (await app.caller(cookies)).auth.me()).user!.id).toBe(user.id);
    const again = await refusal((await app.caller()).auth.acceptInvite({ token, password: 'my own good password' }));
    expect(again).toMatchObject({ code: 'BAD_REQUEST', message: 'This invitation link has expired or has already been used. Ask your administrator to send you a new one.' });
    expect(tenant.id).toBe(user.tenantId);
  });

  it('resending an invitation kills the old link; an expired link says so', async () => {
    const ws = await signUp(app);
    const { owner, tenant } = ws;
    const email = `resend-${tenant.slug}@example.test`;
    const user = await owner.users.create({ ...person('resend'), email });
    const first = await smtp.waitFor((m) => recipients(m).includes(email));
    await owner.users.resendInvitation({ id: user.id });
    const second = await smtp.waitFor((m) => recipients(m).includes(email) && m !== first);
    const tokenOf = (text: string) => /\/invite\/([A-Za-z0-9_-]{43})/.exec(text)![1];
    const old = await refusal((await app.caller()).auth.acceptInvite({ token: tokenOf(first.text!), password: 'my own good password' }));
    expect(old.message).toContain('expired or has already been used');

    app.clock.advance(7 * 24 * 3600_000 + 60_000);
    const expired = await refusal((await app.caller()).auth.acceptInvite({ token: tokenOf(second.text!), password: 'my own good password' }));
    expect(expired.message).toContain('expired or has already been used');
    expect((await (await signInAgain(app, ws)).users.get({ id: user.id })).status).toBe('invited');
  });

  it('creates API users active, without invitation or password', async () => {
    const { owner, tenant } = await signUp(app);
    await setPurchased(tenant.id, 'api', 1);
    const bot = await owner.users.create(person(`${tenant.slug}-bot`, 'api'));
    expect(bot.status).toBe('active');
    expect((await owner.users.permissions({ id: bot.id })).permissions).toEqual(['users.manage', 'users.read']);
    expect(await app.database.owner('one_time_tokens').where({ userId: bot.id })).toEqual([]);
  });

  it.each([
    ['client', 'Member', 'If the user is defined as Client User, only client roles can be given for this user.'],
    ['standard', 'Client', 'If the user is defined as User, only internal roles can be given for this user.'],
    ['api', 'Admin', 'If the user is defined as API User, only API roles can be given for this user.'],
  ] as const)('gives a %s user only roles of its audience (refuses %s)', async (kind, roleName, message) => {
    const { owner, tenant } = await signUp(app);
    await setPurchased(tenant.id, kind, 5);
    const roles = await owner.roles.list();
    const role = roles.find((r) => r.name === roleName)!;
    const refused = await refusal(owner.users.create({ ...person(`${tenant.slug}-aud`, kind), roleId: role.id }));
    expect(refused).toMatchObject({ code: 'BAD_REQUEST', message, fieldErrors: { roleId: [message] } });
    expect(await app.database.owner('users').where({ tenantId: tenant.id })).toHaveLength(1);
  });

  it('refuses bad input by field and a duplicate email in any case, writing nothing', async () => {
    const { owner, tenant } = await signUp(app);
    const bad = await refusal(owner.users.create({ kind: 'standard', email: 'nope', firstName: '', lastName: 'x', timeZone: 'Mars/Olympus', locale: '!!' } as never));
    expect(Object.keys(bad.fieldErrors).sort()).toEqual(['email', 'firstName', 'locale', 'timeZone']);
    const dup = await refusal(owner.users.create({ ...person('dup'), email: tenant.slug ? (await owner.auth.me()).user!.email.toUpperCase() : '' }));
    expect(dup).toMatchObject({ code: 'CONFLICT', message: 'A user with this email already exists in this workspace' });
    expect(await app.database.owner('users').where({ tenantId: tenant.id })).toHaveLength(1);
  });
});
