import { beforeAll, describe, expect, it } from 'vitest';
import { roleForGroupNames } from '../server/domain/provisioning/group-roles';
import { withTenant } from '../db/index';
import { createTestApp, startHttp, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { generateScimToken } from '../server/domain/provisioning/tokens';
import { PATCH_OP, newUser, provisionedWorkspace, scimRequest } from './helpers/scim';

let app: TestApp;
let url: string;

beforeAll(async () => {
  app = await createTestApp({ SCIM_RATE_LIMIT: '100000' });
  ({ url } = await startHttp(app.deps));
});

const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const db = () => app.database.owner;
const userRow = (id: string) => db()('users').where({ id }).first();
const invitationJobs = (email: string) =>
  db()('pgboss.job').where({ name: 'email.send' }).whereRaw(`data->>'template' = 'invitation' and data->>'to' = ?`, [email]).count({ n: '*' }).then(([r]) => Number(r.n));

describe('SCIM tokens and authentication', () => {
  it('are shown once with the sws_ prefix, kept as a hash, listed with prefix and last use, and revocable (401 after)', async () => {
    const ws = await provisionedWorkspace(app);
    expect(ws.token).toMatch(/^sws_[0-9A-Za-z]{49}$/);
    const stored = await db()('scim_tokens').where({ id: ws.tokenId }).first();
    expect(stored!.tokenHash).not.toContain(ws.token.slice(12));
    expect(JSON.stringify(await ws.owner.provisioning.listTokens())).not.toContain(ws.token.slice(12));

    const config = await scimRequest(url, ws.token, 'GET', '/ServiceProviderConfig');
    expect(config).toMatchObject({ status: 200, body: { patch: { supported: true }, filter: { supported: true } } });
    expect(config.type).toContain('application/scim+json');
    expect(await ws.owner.provisioning.listTokens()).toEqual([expect.objectContaining({ id: ws.tokenId, prefix: ws.prefix, status: 'active', lastUsedAt: expect.any(Date) })]);

    await ws.owner.provisioning.revokeToken({ id: ws.tokenId });
    const revoked = await scimRequest(url, ws.token, 'GET', '/Users');
    expect(revoked).toMatchObject({ status: 401, body: { schemas: [SCIM_ERROR], status: '401', detail: expect.stringContaining('revoked') } });
    expect(await scimRequest(url, null, 'GET', '/Users')).toMatchObject({ status: 401, body: { status: '401' } });
    expect(await scimRequest(url, generateScimToken().token, 'GET', '/Users')).toMatchObject({ status: 401, body: { detail: 'This provisioning token is not recognised.' } });
    // A mistyped token fails its checksum before any database look-up.
    expect(await scimRequest(url, 'sws_' + 'x'.repeat(49), 'GET', '/Users')).toMatchObject({ status: 401, body: { detail: expect.stringContaining('copied whole') } });
    const audit = await db()('audit_events').where({ tenantId: ws.tenant.id }).whereIn('action', ['provisioning.token_created', 'provisioning.token_revoked']);
    expect(audit).toHaveLength(2);
  });

  it('need settings.manage: a Member cannot create or list tokens', async () => {
    const ws = await provisionedWorkspace(app);
    const { token } = ws;
    const member = await ws.owner.users.create({ kind: 'standard', email: `m@${ws.input.slug}.test`, firstName: 'M', lastName: 'M' });
    expect(member.id).toBeTruthy();
    // A member cannot reach the router at all: checked through the permission the procedures need.
    await db()('users').where({ id: ws.user.id }).update({ roleId: ws.roles.get('member') });
    expect(await refusal(ws.owner.provisioning.listTokens())).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refusal(ws.owner.provisioning.createToken({ name: 'x' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(token).toBeTruthy();
  });

  it("another tenant's token sees none of this tenant's users (404), and lists none", async () => {
    const a = await provisionedWorkspace(app);
    const b = await provisionedWorkspace(app);
    const created = await scimRequest(url, a.token, 'POST', '/Users', newUser(`ann@${a.input.slug}.test`));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(await scimRequest(url, b.token, 'GET', `/Users/${id}`)).toMatchObject({ status: 404, body: { status: '404' } });
    expect(await scimRequest(url, b.token, 'PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] })).toMatchObject({ status: 404 });
    expect(await scimRequest(url, b.token, 'DELETE', `/Users/${id}`)).toMatchObject({ status: 404 });
    expect((await scimRequest(url, b.token, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "ann@${a.input.slug}.test"`)}`)).body.totalResults).toBe(0);
    expect((await userRow(id))!.status).toBe('invited');
  });

  it('count every request against the token and answer 429 as a SCIM error past the limit', async () => {
    const ws = await provisionedWorkspace(app);
    const limit = app.env.SCIM_RATE_LIMIT;
    const windowStart = new Date(Math.floor(app.clock.now().getTime() / 60_000) * 60_000);
    await db()('rate_limits').insert({ key: `scim-token:${ws.tokenId}`, windowStart, hits: limit - 2 });
    expect((await scimRequest(url, ws.token, 'GET', '/Users')).status).toBe(200);
    // A refused request counts too.
    expect((await scimRequest(url, ws.token, 'GET', '/Users?filter=nonsense')).status).toBe(400);
    const limited = await scimRequest(url, ws.token, 'GET', '/Users');
    expect(limited).toMatchObject({ status: 429, body: { schemas: [SCIM_ERROR], status: '429', detail: expect.stringContaining('Too many requests with this provisioning token') } });
    const row = await db()('rate_limits').where({ key: `scim-token:${ws.tokenId}`, windowStart }).first();
    expect(row!.hits).toBe(limit + 1);
  });
});

describe('SCIM users and the status module', () => {
  it('creates an invited user with an invitation, or an active one without when the tenant has single sign-on; audited as the directory', async () => {
    const ws = await provisionedWorkspace(app);
    const email = `new@${ws.input.slug}.test`;
    const created = await scimRequest(url, ws.token, 'POST', '/Users', newUser(email, { password: 'ignored-1234', groups: [], nickName: 'unknown attribute' }));
    expect(created).toMatchObject({ status: 201, body: { userName: email, active: true, userType: 'Standard', emails: [{ value: email, type: 'work', primary: true }] } });
    const user = await userRow(created.body.id as string);
    expect(user).toMatchObject({ status: 'invited', scimLinked: true, roleId: ws.roles.get('read_only'), passwordHash: null });
    expect(await invitationJobs(email)).toBe(1);
    const audit = await db()('audit_events').where({ tenantId: ws.tenant.id, targetId: user!.id, action: 'user.created' }).first();
    expect(audit).toMatchObject({ actorType: 'directory', actorId: ws.tokenId, actorLabel: ws.prefix });

    const sso = await provisionedWorkspace(app, { sso: true });
    const ssoEmail = `sso@${sso.input.slug}.test`;
    const ssoUser = await scimRequest(url, sso.token, 'POST', '/Users', newUser(ssoEmail));
    expect((await userRow(ssoUser.body.id as string))!.status).toBe('active');
    expect(await invitationJobs(ssoEmail)).toBe(0);
  });

  it('refuses a user over the seat limit with 403 and the seat message; of 30 concurrent POSTs for one seat exactly one succeeds', async () => {
    const ws = await provisionedWorkspace(app, { standard: 2 });
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => scimRequest(url, ws.token, 'POST', '/Users', newUser(`racer${i}@${ws.input.slug}.test`))));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 403)).toHaveLength(29);
    for (const refused of answers.filter((a) => a.status === 403)) {
      expect(refused.body).toEqual({ schemas: [SCIM_ERROR], status: '403', detail: 'You have reached Purchased User limit as 2 User, You need to buy more users to create this user' });
    }
    const [{ n }] = await db()('users').where({ tenantId: ws.tenant.id, kind: 'standard' }).whereIn('status', ['invited', 'active', 'suspended', 'locked']).count({ n: '*' });
    expect(Number(n)).toBe(2);
  });

  it('deactivates (sessions ended), reactivates through the seat rule, deletes (404, kept) and relinks the same user', async () => {
    const ws = await provisionedWorkspace(app, { standard: 2, sso: true });
    const email = `cycle@${ws.input.slug}.test`;
    const id = (await scimRequest(url, ws.token, 'POST', '/Users', newUser(email))).body.id as string;
    await db()('sessions').insert({ tenantId: ws.tenant.id, userId: id, tokenHash: 'f'.repeat(64), expiresAt: new Date(Date.now() + 3600_000) });

    const off = await scimRequest(url, ws.token, 'PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(off).toMatchObject({ status: 200, body: { active: false } });
    expect((await userRow(id))!.status).toBe('deactivated');
    expect(await db()('sessions').where({ userId: id })).toEqual([]);
    expect((await scimRequest(url, ws.token, 'GET', `/Users/${id}`)).body.active).toBe(false);

    // The freed seat is taken meanwhile: reactivation is refused with the reactivate message.
    await scimRequest(url, ws.token, 'POST', '/Users', newUser(`taker@${ws.input.slug}.test`));
    const refused = await scimRequest(url, ws.token, 'PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] });
    expect(refused).toMatchObject({ status: 403, body: { detail: 'You have reached Purchased User limit as 2 User, You need to buy more users to reactivate this user' } });
    expect((await userRow(id))!.status).toBe('deactivated');
    await db()('seat_pools').where({ tenantId: ws.tenant.id, seatType: 'standard' }).update({ included: 3 });
    expect(await scimRequest(url, ws.token, 'PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] })).toMatchObject({ status: 200, body: { active: true } });

    expect((await scimRequest(url, ws.token, 'DELETE', `/Users/${id}`)).status).toBe(204);
    expect(await scimRequest(url, ws.token, 'GET', `/Users/${id}`)).toMatchObject({ status: 404, body: { status: '404' } });
    expect(await userRow(id)).toMatchObject({ status: 'deactivated', scimLinked: false });

    // The same userName again links the same user (no second one), through the seat rule.
    const relinked = await scimRequest(url, ws.token, 'POST', '/Users', newUser(email));
    expect(relinked).toMatchObject({ status: 201, body: { id, active: true } });
    expect(await db()('users').where({ tenantId: ws.tenant.id }).whereRaw('lower(email) = ?', [email])).toHaveLength(1);
    expect((await userRow(id))!.status).toBe('active');
    expect(await scimRequest(url, ws.token, 'POST', '/Users', newUser(email))).toMatchObject({ status: 409, body: { scimType: 'uniqueness', status: '409' } });
  });

  it('never makes a second user for one email, however many POSTs race: one 201, the rest 409 uniqueness', async () => {
    const ws = await provisionedWorkspace(app, { standard: 10 });
    const formUser = await ws.owner.users.create({ kind: 'standard', email: `twin@${ws.input.slug}.test`, firstName: 'Twin', lastName: 'User' });
    for (const email of [`fresh@${ws.input.slug}.test`, formUser.email]) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => scimRequest(url, ws.token, 'POST', '/Users', newUser(email))));
      expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(409)]);
      for (const a of answers.filter((x) => x.status === 409)) expect(a.body).toMatchObject({ scimType: 'uniqueness', status: '409' });
      expect(await db()('users').where({ tenantId: ws.tenant.id }).whereRaw('lower(email) = ?', [email])).toHaveLength(1);
    }
  });

  it('links a user created by the form instead of making a second one; a banned user stays banned', async () => {
    const ws = await provisionedWorkspace(app);
    const formUser = await ws.owner.users.create({ kind: 'standard', email: `form@${ws.input.slug}.test`, firstName: 'Form', lastName: 'User' });
    const linked = await scimRequest(url, ws.token, 'POST', '/Users', newUser(`FORM@${ws.input.slug}.test`, { externalId: 'okta-1' }));
    expect(linked).toMatchObject({ status: 201, body: { id: formUser.id, externalId: 'okta-1' } });
    expect(await userRow(formUser.id)).toMatchObject({ scimLinked: true, externalId: 'okta-1', roleId: ws.roles.get('read_only') });

    const banned = await ws.owner.users.create({ kind: 'standard', email: `banned@${ws.input.slug}.test`, firstName: 'B', lastName: 'B' });
    await ws.owner.users.setStatus({ id: banned.id, status: 'banned', reason: 'Fraud' });
    const refused = await scimRequest(url, ws.token, 'POST', '/Users', newUser(`banned@${ws.input.slug}.test`));
    expect(refused).toMatchObject({ status: 403, body: { detail: expect.stringContaining('banned by an administrator') } });
    expect(await userRow(banned.id)).toMatchObject({ status: 'banned', scimLinked: false });
  });

  it('never demotes or deactivates the last active Owner: linking them keeps Owner and the page says so', async () => {
    const ws = await provisionedWorkspace(app, { sso: true });
    const kept = `Kept ${ws.input.email} as Owner: the last active Owner is never demoted — map a group to Owner.`;
    // The admin assigns themself in the IdP: linked, still Owner (no group would give them Read Only).
    const linked = await scimRequest(url, ws.token, 'POST', '/Users', newUser(ws.input.email));
    expect(linked).toMatchObject({ status: 201, body: { id: ws.user.id, active: true } });
    expect(await userRow(ws.user.id)).toMatchObject({ scimLinked: true, status: 'active', roleId: ws.roles.get('owner') });
    expect(await ws.owner.provisioning.keptRoles()).toEqual([{ email: ws.input.email, roleName: 'Owner', groupRoleName: 'Read Only', message: kept }]);
    expect(await db()('audit_events').where({ tenantId: ws.tenant.id, targetId: ws.user.id, action: 'user.role_changed' })).toHaveLength(0);

    // Deactivating them stays refused.
    const deactivate = await scimRequest(url, ws.token, 'PATCH', `/Users/${ws.user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(deactivate).toMatchObject({ status: 403, body: { detail: expect.stringContaining('last active Owner') } });

    // Mapped to Owner through a group: nothing to report. Taken out of it again: the membership
    // change succeeds, the demotion is skipped and reported.
    const group = (await scimRequest(url, ws.token, 'POST', '/Groups', { displayName: 'Owners', members: [{ value: ws.user.id }] })).body.id as string;
    await ws.owner.provisioning.mapGroup({ groupId: group, roleId: ws.roles.get('owner')!, priority: 1 });
    expect(await ws.owner.provisioning.keptRoles()).toEqual([]);
    const remove = await scimRequest(url, ws.token, 'PATCH', `/Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${ws.user.id}"]` }] });
    expect(remove.status).toBe(204);
    expect(await db()('scim_group_members').where({ groupId: group })).toHaveLength(0);
    expect(await userRow(ws.user.id)).toMatchObject({ status: 'active', roleId: ws.roles.get('owner') });
    expect(await ws.owner.provisioning.keptRoles()).toEqual([expect.objectContaining({ message: kept })]);
  });
});

describe('SCIM groups and roles', () => {
  it('gives the highest-priority mapped group role at once, on membership and mapping changes; Read Only in none', async () => {
    const ws = await provisionedWorkspace(app);
    const u = (await scimRequest(url, ws.token, 'POST', '/Users', newUser(`g@${ws.input.slug}.test`))).body.id as string;
    const admins = (await scimRequest(url, ws.token, 'POST', '/Groups', { displayName: 'Admins', members: [] })).body.id as string;
    const staff = (await scimRequest(url, ws.token, 'POST', '/Groups', { displayName: 'Staff', members: [{ value: u }] })).body.id as string;
    await ws.owner.provisioning.mapGroup({ groupId: admins, roleId: ws.roles.get('admin')!, priority: 1 });
    await db()('sessions').insert({ tenantId: ws.tenant.id, userId: u, tokenHash: 'e'.repeat(64), expiresAt: new Date(Date.now() + 3600_000) });
    await ws.owner.provisioning.mapGroup({ groupId: staff, roleId: ws.roles.get('member')!, priority: 2 });
    expect((await userRow(u))!.roleId).toBe(ws.roles.get('member'));
    // Through the role change routine: the role change ended the user's sessions (SPEC "Sign-in").
    expect(await db()('sessions').where({ userId: u })).toEqual([]);

    const add = await scimRequest(url, ws.token, 'PATCH', `/Groups/${admins}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: u }] }] });
    expect(add.status).toBe(204);
    expect((await userRow(u))!.roleId).toBe(ws.roles.get('admin'));
    // Two mapped groups never share a priority: which one wins would be decided unseen.
    await expect(ws.owner.provisioning.mapGroup({ groupId: staff, roleId: ws.roles.get('member')!, priority: 1 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Priority 1 is already Admins’s. Give each mapped group its own priority (1 is first).',
    });
    expect((await userRow(u))!.roleId).toBe(ws.roles.get('admin'));
    // Priority order changes: Staff first now.
    await ws.owner.provisioning.mapGroup({ groupId: admins, roleId: ws.roles.get('admin')!, priority: 5 });
    await ws.owner.provisioning.mapGroup({ groupId: staff, roleId: ws.roles.get('member')!, priority: 1 });
    expect((await userRow(u))!.roleId).toBe(ws.roles.get('member'));
    // Unmapped and removed: Read Only.
    await ws.owner.provisioning.mapGroup({ groupId: staff, roleId: null });
    expect((await userRow(u))!.roleId).toBe(ws.roles.get('admin'));
    await scimRequest(url, ws.token, 'PATCH', `/Groups/${admins}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ value: u }] }] });
    expect((await userRow(u))!.roleId).toBe(ws.roles.get('read_only'));
    // Removing a member who is not there (again) changes nothing and is no error.
    const again = await scimRequest(url, ws.token, 'PATCH', `/Groups/${admins}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${u}"]` }] });
    expect(again.status).toBe(204);
    // A path scim-patch cannot follow is a 400 SCIM error, not a 500.
    const odd = await scimRequest(url, ws.token, 'PATCH', `/Users/${u}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails[type eq "work"].value.x', value: 1 }] });
    expect(odd).toMatchObject({ status: 400, body: { scimType: 'invalidPath', status: '400' } });

    const groups = await ws.owner.provisioning.groups();
    expect(groups.map((g) => [g.displayName, g.members, g.roleId])).toEqual([
      ['Admins', 0, ws.roles.get('admin')],
      ['Staff', 1, null],
    ]);
    const roleChanges = await db()('audit_events').where({ tenantId: ws.tenant.id, targetId: u, action: 'user.role_changed' });
    expect(roleChanges.length).toBe(5);
  });

  it('gives client users client roles only: an incompatible mapping is skipped and reported', async () => {
    const ws = await provisionedWorkspace(app, { client: 2 });
    const c = await scimRequest(url, ws.token, 'POST', '/Users', newUser(`client@${ws.input.slug}.test`, { userType: 'Client' }));
    expect(c).toMatchObject({ status: 201, body: { userType: 'Client' } });
    const id = c.body.id as string;
    expect(await userRow(id)).toMatchObject({ kind: 'client', roleId: ws.roles.get('client') });
    const group = (await scimRequest(url, ws.token, 'POST', '/Groups', { displayName: 'Everyone', members: [{ value: id }] })).body.id as string;
    await ws.owner.provisioning.mapGroup({ groupId: group, roleId: ws.roles.get('admin')!, priority: 1 });
    expect((await userRow(id))!.roleId).toBe(ws.roles.get('client'));
    const [listed] = await ws.owner.provisioning.groups();
    expect(listed.skipped).toEqual([{ email: `client@${ws.input.slug}.test`, kind: 'client' }]);
    expect(await scimRequest(url, ws.token, 'PUT', `/Users/${id}`, newUser(`client@${ws.input.slug}.test`, { userType: 'Standard' }))).toMatchObject({ status: 400, body: { scimType: 'mutability' } });
    // Client seats run out like standard ones, with the client message.
    await scimRequest(url, ws.token, 'POST', '/Users', newUser(`client2@${ws.input.slug}.test`, { userType: 'Client' }));
    const refused = await scimRequest(url, ws.token, 'POST', '/Users', newUser(`client3@${ws.input.slug}.test`, { userType: 'client' }));
    expect(refused).toMatchObject({ status: 403, body: { detail: 'You have reached Purchased Client User limit as 2 User, You need to buy more client users to create this user' } });
  });

  it('roleForGroupNames: by display name in any case, by priority and kind, Read Only or Client otherwise', async () => {
    const ws = await provisionedWorkspace(app);
    const g1 = (await scimRequest(url, ws.token, 'POST', '/Groups', { displayName: 'Engineering' })).body.id as string;
    const g2 = (await scimRequest(url, ws.token, 'POST', '/Groups', { displayName: 'Leads' })).body.id as string;
    await ws.owner.provisioning.mapGroup({ groupId: g1, roleId: ws.roles.get('member')!, priority: 2 });
    await ws.owner.provisioning.mapGroup({ groupId: g2, roleId: ws.roles.get('admin')!, priority: 1 });
    const role = (groupNames: string[], kind: 'standard' | 'client') => withTenant(app.database.web, ws.tenant.id, (trx) => roleForGroupNames(trx, { groupNames, kind }));
    expect(await role(['ENGINEERING'], 'standard')).toEqual({ roleId: ws.roles.get('member') });
    expect(await role(['engineering', 'leads'], 'standard')).toEqual({ roleId: ws.roles.get('admin') });
    expect(await role(['Sales'], 'standard')).toEqual({ roleId: ws.roles.get('read_only') });
    expect(await role(['Leads'], 'client')).toEqual({ roleId: ws.roles.get('client') });
    expect(await role([], 'standard')).toEqual({ roleId: ws.roles.get('read_only') });
  });
});

describe('SCIM bad requests', () => {
  it('answer 4xx SCIM errors and change nothing', async () => {
    const ws = await provisionedWorkspace(app);
    const before = await db()('users').where({ tenantId: ws.tenant.id }).count({ n: '*' });
    const cases: [string, string, unknown, number, string?][] = [
      ['GET', '/Users?filter=' + encodeURIComponent('userName eq'), undefined, 400, 'invalidFilter'],
      ['GET', '/Users?filter=' + encodeURIComponent('password eq "x"'), undefined, 400, 'invalidFilter'],
      ['GET', '/Users?filter=' + encodeURIComponent('userName gt "x"'), undefined, 400, 'invalidFilter'],
      ['GET', '/Groups?filter=' + encodeURIComponent('members[value eq "x"] and nope pr'), undefined, 400, 'invalidFilter'],
      ['POST', '/Users', '{"userName": "broken@x.test",', 400, 'invalidSyntax'],
      ['POST', '/Users', '[]', 400, 'invalidSyntax'],
      ['POST', '/Users', { userName: 'not-an-email' }, 400, 'invalidValue'],
      ['POST', '/Users', { userName: 'typed@x.test', active: 'maybe' }, 400, 'invalidValue'],
      ['POST', '/Users', { userName: 'typed@x.test', name: 'Just a string' }, 400, 'invalidValue'],
      ['POST', '/Users', { userName: 'nul\u0000@x.test' }, 400, 'invalidValue'],
      ['PATCH', '/Users/00000000-0000-4000-8000-000000000000', { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }, 404],
      ['PATCH', '/Users/not-a-uuid', { schemas: [PATCH_OP], Operations: [{ op: 'jump' }] }, 400, 'invalidValue'],
      ['GET', '/Users/not-a-uuid', undefined, 404],
      ['GET', '/Nothing', undefined, 404],
      ['POST', '/Groups', { displayName: 'G', members: [{ value: '00000000-0000-4000-8000-000000000000' }] }, 400, 'invalidValue'],
    ];
    for (const [method, path, body, status, scimType] of cases) {
      const answer = await scimRequest(url, ws.token, method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(status);
      expect(answer.body, `${method} ${path}`).toMatchObject({ schemas: [SCIM_ERROR], status: String(status), detail: expect.any(String), ...(scimType ? { scimType } : {}) });
      expect(answer.type).toContain('application/scim+json');
    }
    expect(await db()('users').where({ tenantId: ws.tenant.id }).count({ n: '*' })).toEqual(before);
    expect(await db()('scim_groups').where({ tenantId: ws.tenant.id })).toEqual([]);
  });

  it('a body over 1 MB is a 413 SCIM error', async () => {
    const ws = await provisionedWorkspace(app);
    const answer = await scimRequest(url, ws.token, 'POST', '/Users', { userName: 'big@x.test', displayName: 'x'.repeat(1_100_000) });
    expect(answer).toMatchObject({ status: 413, body: { schemas: [SCIM_ERROR], status: '413' } });
  });

  it('serves lists with paging and attribute selection', async () => {
    const ws = await provisionedWorkspace(app, { standard: 10 });
    for (const n of [1, 2, 3]) await scimRequest(url, ws.token, 'POST', '/Users', newUser(`p${n}@${ws.input.slug}.test`, { externalId: `ext-${n}` }));
    const all = (await scimRequest(url, ws.token, 'GET', '/Users')).body.Resources as { id: string; name: { givenName: string } }[];
    const page = await scimRequest(url, ws.token, 'GET', '/Users?startIndex=2&count=1&attributes=userName,name.givenName');
    expect(page.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    const [item] = page.body.Resources as Record<string, unknown>[];
    expect(Object.keys(item).sort()).toEqual(['id', 'name', 'schemas', 'userName']);
    expect(item).toMatchObject({ id: all[1].id, name: { givenName: all[1].name.givenName } });
    expect(item.name).toEqual({ givenName: all[1].name.givenName });
    const filtered = await scimRequest(url, ws.token, 'GET', `/Users?filter=${encodeURIComponent(`externalId eq "ext-3" or emails[type eq "work"].value eq "P1@${ws.input.slug}.test"`)}&excludedAttributes=groups,emails`);
    expect((filtered.body.Resources as { userName: string; emails?: unknown }[]).map((r) => [r.userName, r.emails]).sort()).toEqual([
      [`p1@${ws.input.slug}.test`, undefined],
      [`p3@${ws.input.slug}.test`, undefined],
    ]);
  });
});
