import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { beforeAll, describe, expect, it } from 'vitest';
import { STATUSES } from '../server/contract/statuses';
import { updateSettingsInput } from '../server/contract/tenant';
import { ADMIN_TRANSITIONS } from './helpers/spec';
import { createTestApp, memoryCookies, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { insertUser, signUp } from './helpers/factories';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});

async function workspaceWith(roleKey: string) {
  const ws = await signUp(app);
  await app.database.owner('seat_pools').where({ tenantId: ws.tenant.id }).update({ included: 50 });
  const password = 'a good long password';
  const user = await insertUser(app, ws.tenant.id, { email: `${roleKey}-${ws.tenant.slug}@example.test`, roleKey, password });
  const cookies = memoryCookies();
  await (await app.caller(cookies)).auth.login({ workspace: ws.tenant.slug, email: user.email, password });
  return { ...ws, actor: await app.caller(cookies), actorId: user.id, cookies };
}

/** What an admin reads for each move the table refuses, restated here rather than imported. */
const TRANSITION_REFUSALS: Record<string, string> = {
  'invited → invited': 'The user is already invited.',
  'invited → active': 'An invited user cannot be activated.',
  'invited → suspended': 'An invited user cannot be suspended.',
  'invited → locked': 'Users are locked only by wrong passwords. Suspend the user instead.',
  'active → invited': 'A user cannot be moved back to invited. Reactivate them: they get a new invitation if they never set a password.',
  'active → active': 'The user is already active.',
  'active → locked': 'Users are locked only by wrong passwords. Suspend the user instead.',
  'suspended → invited': 'A user cannot be moved back to invited. Reactivate them: they get a new invitation if they never set a password.',
  'suspended → suspended': 'The user is already suspended.',
  'suspended → locked': 'Users are locked only by wrong passwords. Suspend the user instead.',
  'locked → invited': 'A user cannot be moved back to invited. Reactivate them: they get a new invitation if they never set a password.',
  'locked → suspended': 'A locked user cannot be suspended.',
  'locked → locked': 'The user is already locked.',
  'deactivated → invited': 'A user cannot be moved back to invited. Reactivate them: they get a new invitation if they never set a password.',
  'deactivated → suspended': 'A deactivated user cannot be suspended.',
  'deactivated → locked': 'Users are locked only by wrong passwords. Suspend the user instead.',
  'deactivated → deactivated': 'The user is already deactivated.',
  'banned → invited': 'A user cannot be moved back to invited. Reactivate them: they get a new invitation if they never set a password.',
  'banned → suspended': 'A banned user cannot be suspended.',
  'banned → locked': 'Users are locked only by wrong passwords. Suspend the user instead.',
  'banned → deactivated': 'A banned user cannot be deactivated.',
  'banned → banned': 'The user is already banned.',
};

describe('users.setStatus: every status × every target', () => {
  it('names the refusal of every move the table does not allow', () => {
    const refused = STATUSES.flatMap((from) => STATUSES.filter((to) => !ADMIN_TRANSITIONS[from].includes(to)).map((to) => `${from} → ${to}`));
    expect(refused.sort()).toEqual(Object.keys(TRANSITION_REFUSALS).sort());
  });


  const cases = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to, ADMIN_TRANSITIONS[from].includes(to)] as const));
  it.each(cases)('%s → %s allowed: %s', async (from, to, allowed) => {
    const { owner, tenant } = await signUp(app);
    const target = await insertUser(app, tenant.id, { email: `t-${from}-${to}@example.test`, status: from });
    const call = owner.users.setStatus({ id: target.id, status: to, reason: 'Because the test says so' });
    if (allowed) {
      const updated = (await call)!;
      expect(updated.status).toBe(to);
      const [event] = (await owner.audit.list({ targetId: target.id })).items;
      expect(event).toMatchObject({ action: 'user.status_changed', before: { status: from }, after: { status: to } });
    } else {
      const refused = await refusal(call);
      // The words an admin reads next to the status field, and the HTTP status a client gets.
      const message = TRANSITION_REFUSALS[`${from} → ${to}`];
      expect(refused).toEqual({ code: 'BAD_REQUEST', message, data: { reason: 'TRANSITION' }, fieldErrors: { status: [message] } });
      expect(getHTTPStatusCodeFromError(new TRPCError({ code: refused.code }))).toBe(400);
      expect((await app.database.owner('users').where({ id: target.id }).first())!.status).toBe(from);
    }
  });

  it('requires a reason to ban, and stores and shows it', async () => {
    const { owner, tenant } = await signUp(app);
    const target = await insertUser(app, tenant.id, { email: 'ban@example.test' });
    const refused = await refusal(owner.users.setStatus({ id: target.id, status: 'banned' }));
    expect(refused).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { reason: ['Give a reason for the ban. It is kept with the user.'] } });
    await owner.users.setStatus({ id: target.id, status: 'banned', reason: 'Shared their password' });
    expect(await owner.users.get({ id: target.id })).toMatchObject({ status: 'banned', statusReason: 'Shared their password' });
  });

  it('ends the sessions of a user who loses access, at once', async () => {
    const { owner, tenant } = await signUp(app);
    for (const status of ['suspended', 'deactivated', 'banned'] as const) {
      const password = 'a good long password';
      const user = await insertUser(app, tenant.id, { email: `${status}-sessions@example.test`, password });
      const cookies = memoryCookies();
      await (await app.caller(cookies)).auth.login({ workspace: tenant.slug, email: user.email, password });
      expect((await (await app.caller(cookies)).auth.me()).user!.id).toBe(user.id);
      await owner.users.setStatus({ id: user.id, status, reason: 'test' });
      expect((await refusal((await app.caller(cookies)).auth.me())).code).toBe('UNAUTHORIZED');
      expect(await app.database.owner('sessions').where({ userId: user.id })).toEqual([]);
    }
  });
});

describe('self and Owner protections', () => {
  it('an admin cannot change their own status', async () => {
    const { actor, actorId } = await workspaceWith('admin');
    const refused = await refusal(actor.users.setStatus({ id: actorId, status: 'suspended' }));
    expect(refused).toMatchObject({ code: 'FORBIDDEN', message: 'You cannot change your own status. Ask another administrator.' });
  });

  it('the last active Owner can be neither demoted nor made inactive; an Admin may not even try', async () => {
    const { actor: admin, user: owner, owner: ownerCaller } = await workspaceWith('admin');
    for (const status of ['suspended', 'deactivated', 'banned'] as const) {
      const refused = await refusal(admin.users.setStatus({ id: owner.id, status, reason: 'x' }));
      expect(refused).toMatchObject({ code: 'FORBIDDEN', data: { reason: 'OUTRANKED' } });
    }
    const member = (await ownerCaller.roles.list()).find((r) => r.key === 'member')!;
    const demote = await refusal(ownerCaller.users.setRole({ id: owner.id, roleId: member.id }));
    expect(demote).toMatchObject({ code: 'FORBIDDEN', data: { reason: 'LAST_OWNER' } });
    expect((await app.database.owner('users').where({ id: owner.id }).first())!.status).toBe('active');
  });

  it('an Admin cannot make anyone an Owner nor demote an Owner', async () => {
    const { actor, tenant } = await workspaceWith('admin');
    const roles = await actor.roles.list();
    const member = await insertUser(app, tenant.id, { email: 'plain@example.test' });
    const refused = await refusal(actor.users.setRole({ id: member.id, roleId: roles.find((r) => r.key === 'owner')!.id }));
    expect(refused.code).toBe('FORBIDDEN');
    expect(refused.message).toContain('billing.manage');
  });

  it('a role change keeps to the audience of the user kind', async () => {
    const { owner, tenant } = await signUp(app);
    await app.database.owner('seat_pools').where({ tenantId: tenant.id }).update({ included: 5 });
    const client = await owner.users.create({ kind: 'client', email: 'aud-client@example.test', firstName: 'C', lastName: 'C' });
    const roles = await owner.roles.list();
    const refused = await refusal(owner.users.setRole({ id: client.id, roleId: roles.find((r) => r.key === 'admin')!.id }));
    expect(refused).toMatchObject({ code: 'BAD_REQUEST', message: 'If the user is defined as Client User, only client roles can be given for this user.' });
    const custom = await owner.roles.create({ name: 'Client lead', audience: 'client', permissions: ['users.read'] });
    expect((await owner.users.setRole({ id: client.id, roleId: custom.id })).roleId).toBe(custom.id);
  });

  it('a role change ends the sessions of that user and is audited', async () => {
    const { owner, tenant } = await signUp(app);
    const password = 'a good long password';
    const user = await insertUser(app, tenant.id, { email: 'promoted@example.test', password });
    const cookies = memoryCookies();
    await (await app.caller(cookies)).auth.login({ workspace: tenant.slug, email: user.email, password });
    const admin = (await owner.roles.list()).find((r) => r.key === 'admin')!;
    await owner.users.setRole({ id: user.id, roleId: admin.id });
    expect((await refusal((await app.caller(cookies)).auth.me())).code).toBe('UNAUTHORIZED');
    const [event] = (await owner.audit.list({ targetId: user.id, action: 'user.role' })).items;
    expect(event).toMatchObject({ before: { role: 'Member' }, after: { role: 'Admin' } });
  });
});

describe('permissions and tenant isolation', () => {
  const denied = (code: string) => expect(code).toBe('FORBIDDEN');

  it.each(['member', 'read_only', 'client'])('a %s gets FORBIDDEN on every admin procedure', async (roleKey) => {
    const { actor, tenant, user } = await workspaceWith(roleKey);
    const someone = { id: user.id };
    const calls = [
      () => actor.users.list({}),
      () => actor.users.get(someone),
      () => actor.users.create({ kind: 'standard', email: 'x@example.test', firstName: 'X', lastName: 'Y' }),
      () => actor.users.update({ ...someone, firstName: 'Z' }),
      () => actor.users.setStatus({ ...someone, status: 'suspended' }),
      () => actor.users.setRole({ ...someone, roleId: user.roleId }),
      () => actor.users.requirePasswordChange(someone),
      () => actor.users.sendPasswordReset(someone),
      () => actor.users.resendInvitation(someone),
      () => actor.users.loginHistory(someone),
      () => actor.users.permissions(someone),
      () => actor.roles.list(),
      () => actor.roles.create({ name: 'X', audience: 'internal', permissions: [] }),
      () => actor.audit.list({}),
      () => actor.tenant.updateSettings({ lockoutThreshold: 3 }),
      () => actor.seats.summary(),
    ];
    for (const call of calls) denied((await refusal(call())).code);
    expect((await actor.auth.me()).tenant.id).toBe(tenant.id);
    expect((await app.database.owner('tenants').where({ id: tenant.id }).first())!.lockoutThreshold).toBe(10);
  });

  it('anonymous callers get UNAUTHORIZED', async () => {
    const anonymous = await app.caller();
    for (const call of [() => anonymous.users.list({}), () => anonymous.seats.summary(), () => anonymous.audit.list({}), () => anonymous.tenant.get()]) {
      expect((await refusal(call())).code).toBe('UNAUTHORIZED');
    }
  });

  it("another tenant's ids are NOT_FOUND on every procedure that takes one, and nothing changes", async () => {
    const a = await signUp(app);
    const b = await signUp(app);
    const theirs = await insertUser(app, b.tenant.id, { email: 'theirs@example.test' });
    const theirRole = (await b.owner.roles.list())[0];
    const id = { id: theirs.id };
    const calls = [
      () => a.owner.users.get(id),
      () => a.owner.users.update({ ...id, firstName: 'Hacked' }),
      () => a.owner.users.setStatus({ ...id, status: 'suspended' }),
      () => a.owner.users.setRole({ ...id, roleId: b.user.roleId }),
      () => a.owner.users.setRole({ id: a.user.id, roleId: theirRole.id }),
      () => a.owner.users.requirePasswordChange(id),
      () => a.owner.users.sendPasswordReset(id),
      () => a.owner.users.resendInvitation(id),
      () => a.owner.users.loginHistory(id),
      () => a.owner.users.permissions(id),
      () => a.owner.roles.update({ id: theirRole.id, name: 'Hacked' }),
      () => a.owner.users.create({ kind: 'standard', email: 'n@example.test', firstName: 'N', lastName: 'N', roleId: theirRole.id }),
    ];
    for (const call of calls) expect((await refusal(call())).code).toBe('NOT_FOUND');
    expect(await app.database.owner('users').where({ id: theirs.id }).first()).toMatchObject({ firstName: 'Test', status: 'active' });
    expect((await app.database.owner('roles').where({ id: theirRole.id }).first())!.name).toBe(theirRole.name);
  });

  it('an Admin can do everything but billing; roles can be created with any subset of permissions', async () => {
    const { actor } = await workspaceWith('admin');
    const role = await actor.roles.create({ name: 'Auditor', audience: 'internal', permissions: ['audit.read', 'users.read', 'audit.read'] });
    expect(role.permissions).toEqual(['audit.read', 'users.read']);
    const duplicate = await refusal(actor.roles.create({ name: 'auditor', audience: 'internal', permissions: [] }));
    expect(duplicate).toMatchObject({ code: 'CONFLICT', message: 'A role with this name already exists' });
    const escalate = await refusal(actor.roles.create({ name: 'Biller', audience: 'internal', permissions: ['billing.manage'] }));
    expect(escalate.code).toBe('FORBIDDEN');
    expect((await actor.tenant.updateSettings({ lockoutThreshold: 5, inactivityDays: 30 })).lockoutThreshold).toBe(5);
    // The settings form's messages are people's words, not zod's ("Too big: expected number to be <=90").
    expect(updateSettingsInput.safeParse({ inactivityWarningDays: '91' }).error?.issues[0]?.message).toBe('Use a number of days from 0 to 90');
    const settings = (await actor.audit.list({ action: 'tenant.' })).items[0];
    const now = app.clock.now().getTime();
    expect((await actor.audit.list({ action: 'tenant.settings', from: new Date(now - 1000).toISOString() })).items).toHaveLength(1);
    expect((await actor.audit.list({ action: 'tenant.settings', to: new Date(now - 1000).toISOString() })).items).toEqual([]);
    expect(settings).toMatchObject({ before: { lockoutThreshold: 10, inactivityDays: 90 }, after: { lockoutThreshold: 5, inactivityDays: 30 } });
  });
});

describe('users.update, requirePasswordChange, loginHistory', () => {
  it('updates only what changed and audits exactly that', async () => {
    const { owner, tenant } = await signUp(app);
    const user = await insertUser(app, tenant.id, { email: 'edit@example.test' });
    await owner.users.update({ id: user.id, firstName: 'Edited', timeZone: 'UTC', exemptFromInactivity: true });
    const [event] = (await owner.audit.list({ targetId: user.id })).items;
    expect(event).toMatchObject({ action: 'user.updated', before: { firstName: 'Test', exemptFromInactivity: false }, after: { firstName: 'Edited', exemptFromInactivity: true } });
    const refused = await refusal(owner.users.update({ id: user.id, timeZone: 'Nowhere/Land' }));
    expect(refused.fieldErrors.timeZone).toEqual(['Use an IANA time zone such as Europe/Paris']);
  });

  it('requires a password change at next sign-in, and lists login history newest first', async () => {
    const { owner, tenant } = await signUp(app);
    const password = 'a good long password';
    const user = await insertUser(app, tenant.id, { email: 'history@example.test', password });
    await owner.users.requirePasswordChange({ id: user.id, required: true });
    const anon = await app.caller();
    await refusal(anon.auth.login({ workspace: tenant.slug, email: user.email, password: 'wrong password here' }));
    const signedIn = await (await app.caller()).auth.login({ workspace: tenant.slug, email: user.email, password });
    expect(signedIn.user.mustChangePassword).toBe(true);
    const first = await owner.users.loginHistory({ id: user.id, limit: 1 });
    expect(first.items.map((e) => e.result)).toEqual(['success']);
    const second = await owner.users.loginHistory({ id: user.id, limit: 1, cursor: first.nextCursor! });
    expect(second.items.map((e) => e.result)).toEqual(['wrong_password']);
    expect(second.nextCursor).toBeNull();
  });
});
