import { beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/index';
import { migrationSource } from '../db/migrations/index';
import { generateScimToken } from '../server/domain/provisioning/tokens';
import { createTestApp, memoryCookies, startHttp, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { insertUser } from './helpers/factories';
import { PATCH_OP, newUser, provisionedWorkspace, scimRequest } from './helpers/scim';

/**
 * A provisioning token acts with its creator's permissions as they were at its creation: an
 * attacker with a lesser role (an Admin, who lacks billing.manage) gains nothing through one.
 */
let app: TestApp;
let url: string;

beforeAll(async () => {
  app = await createTestApp({ SCIM_RATE_LIMIT: '100000' });
  ({ url } = await startHttp(app.deps));
});

const db = () => app.database.owner;
const PASSWORD = 'a good long password';
const auditCount = (tenantId: string) => db()('audit_events').where({ tenantId }).count({ n: '*' }).then(([r]) => Number(r.n));
const identity = (id: string) => db()('users').where({ id }).first('email', 'firstName', 'lastName', 'displayName', 'externalId', 'status', 'roleId', 'scimLinked');
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

/** A user of this role (built-in key or a role id), signed in. */
async function signedIn(tenantId: string, slug: string, email: string, role: { key?: string; id?: string }) {
  const user = await insertUser(app, tenantId, { email, password: PASSWORD, roleKey: role.key ?? 'member' });
  if (role.id) await db()('users').where({ id: user.id }).update({ roleId: role.id });
  const cookies = memoryCookies();
  await (await app.caller(cookies)).auth.login({ workspace: slug, email, password: PASSWORD });
  return { user, caller: await app.caller(cookies) };
}

/** A workspace (Owner Ada and her token) with a second active Owner and a signed-in Admin with a token. */
async function withAdminToken() {
  const ws = await provisionedWorkspace(app, { standard: 10 });
  const slug = ws.input.slug;
  const owner2 = await insertUser(app, ws.tenant.id, { email: `grace@${slug}.test`, roleKey: 'owner' });
  const admin = await signedIn(ws.tenant.id, slug, `admin@${slug}.test`, { key: 'admin' });
  const adminToken = await admin.caller.provisioning.createToken({ name: 'Admin Okta' });
  return { ws, slug, owner2, admin, adminToken: adminToken.token };
}

describe('a provisioning token acts with its creator’s permissions', () => {
  it('an Admin’s token cannot link, rename, demote, deactivate or delete an Owner (403, nothing written); an Owner’s token can', async () => {
    const { ws, slug, owner2, adminToken } = await withAdminToken();
    const o2 = owner2.id;
    // An Owners group mapped by the Owner, with Grace linked by the Owner's token and in it.
    const owners = (await scimRequest(url, ws.token, 'POST', '/Groups', { displayName: 'Owners' })).body.id as string;
    await ws.owner.provisioning.mapGroup({ groupId: owners, roleId: ws.roles.get('owner')!, priority: 1 });
    // A reader the Admin's token may manage.
    const reader = await scimRequest(url, adminToken, 'POST', '/Users', newUser(`reader@${slug}.test`));
    expect(reader.status).toBe(201);
    const r = reader.body.id as string;

    // Linking an Owner with the Admin's token: refused before anything is written.
    const link = await scimRequest(url, adminToken, 'POST', '/Users', newUser(owner2.email));
    expect(link).toMatchObject({ status: 403, body: { status: '403', detail: 'You cannot link this user: their role, Owner, has permissions you do not have (billing.manage). Ask someone who holds them.' } });
    expect(await identity(o2)).toMatchObject({ scimLinked: false, roleId: ws.roles.get('owner') });

    const ownerLink = await scimRequest(url, ws.token, 'POST', '/Users', newUser(owner2.email, { externalId: 'okta-grace' }));
    expect(ownerLink.status).toBe(201);
    expect((await scimRequest(url, ws.token, 'PATCH', `/Groups/${owners}`, patch({ op: 'add', path: 'members', value: [{ value: o2 }] }))).status).toBe(204);
    expect(await identity(o2)).toMatchObject({ scimLinked: true, status: 'active', roleId: ws.roles.get('owner') });

    const before = await identity(o2);
    const audited = await auditCount(ws.tenant.id);
    const attacks = await Promise.all([
      scimRequest(url, adminToken, 'PUT', `/Users/${o2}`, newUser(`attacker@${slug}.test`, { externalId: 'okta-grace' })),
      scimRequest(url, adminToken, 'PATCH', `/Users/${o2}`, patch({ op: 'replace', path: 'name.givenName', value: 'Mallory' })),
      scimRequest(url, adminToken, 'PATCH', `/Users/${o2}`, patch({ op: 'replace', path: 'active', value: 'False' })),
      scimRequest(url, adminToken, 'DELETE', `/Users/${o2}`),
      // Out of the Owners group: Grace would drop to Read Only.
      scimRequest(url, adminToken, 'PATCH', `/Groups/${owners}`, patch({ op: 'remove', path: `members[value eq "${o2}"]` })),
      scimRequest(url, adminToken, 'DELETE', `/Groups/${owners}`),
      // Into the Owners group: the reader would become an Owner.
      scimRequest(url, adminToken, 'PATCH', `/Groups/${owners}`, patch({ op: 'add', path: 'members', value: [{ value: r }] })),
    ]);
    for (const answer of attacks) expect(answer).toMatchObject({ status: 403, body: { detail: expect.stringMatching(/their role, Owner|the Owner role/) } });
    expect(attacks[0].body.detail).toBe('You cannot change the identity fields of this user: their role, Owner, has permissions you do not have (billing.manage). Ask someone who holds them.');
    expect(attacks[2].body.detail).toContain('You cannot change the status of this user');
    expect(attacks[3].body.detail).toContain('You cannot remove from the directory this user');
    expect(attacks[4].body.detail).toBe(
      `Nothing was changed: the role of grace@${slug}.test would change. You cannot change the role of this user: their role, Owner, has permissions you do not have (billing.manage). Ask someone who holds them.`,
    );
    expect(attacks[6].body.detail).toBe(`Nothing was changed: the role of reader@${slug}.test would change. You cannot give the Owner role: it has permissions you do not have (billing.manage).`);
    expect(await identity(o2)).toEqual(before);
    expect((await identity(r))!.roleId).toBe(ws.roles.get('read_only'));
    expect((await db()('scim_group_members').where({ groupId: owners }).select('userId')).map((m) => m.userId)).toEqual([o2]);
    expect(await auditCount(ws.tenant.id)).toBe(audited);

    // The Admin's token still manages whom its creator could.
    expect(await scimRequest(url, adminToken, 'PATCH', `/Users/${r}`, patch({ op: 'replace', path: 'name.givenName', value: 'Rita' }))).toMatchObject({ status: 200, body: { name: { givenName: 'Rita' } } });
    // The Owner's token may rename and deactivate Grace (Ada remains an active Owner).
    expect((await scimRequest(url, ws.token, 'PATCH', `/Users/${o2}`, patch({ op: 'replace', path: 'name.givenName', value: 'Gracie' }))).status).toBe(200);
    expect((await scimRequest(url, ws.token, 'PATCH', `/Users/${o2}`, patch({ op: 'replace', path: 'active', value: false }))).status).toBe(200);
    expect(await identity(o2)).toMatchObject({ firstName: 'Gracie', status: 'deactivated', roleId: ws.roles.get('owner') });
  });

  it('mapGroup: an Admin cannot map a group (empty or not) to Owner, unmap the Owner group, or move an Owner member; FORBIDDEN, nothing written', async () => {
    const { ws, slug, owner2, admin } = await withAdminToken();
    const empty = (await scimRequest(url, ws.token, 'POST', '/Groups', { displayName: 'Future owners' })).body.id as string;
    const mappings = () => db()('audit_events').where({ tenantId: ws.tenant.id, action: 'provisioning.group_mapped' }).count({ n: '*' }).then(([x]) => Number(x.n));

    const toOwner = await refusal(admin.caller.provisioning.mapGroup({ groupId: empty, roleId: ws.roles.get('owner')!, priority: 1 }));
    expect(toOwner).toMatchObject({ code: 'FORBIDDEN', message: 'You cannot give the Owner role: it has permissions you do not have (billing.manage).' });
    expect(await db()('scim_groups').where({ id: empty }).first('roleId', 'priority')).toEqual({ roleId: null, priority: null });
    expect(await mappings()).toBe(0);

    // Mapped to Owner by the Owner: the Admin may not take the mapping away either.
    await ws.owner.provisioning.mapGroup({ groupId: empty, roleId: ws.roles.get('owner')!, priority: 1 });
    expect(await refusal(admin.caller.provisioning.mapGroup({ groupId: empty, roleId: ws.roles.get('member')! }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refusal(admin.caller.provisioning.mapGroup({ groupId: empty, roleId: null }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await db()('scim_groups').where({ id: empty }).first('roleId')).toEqual({ roleId: ws.roles.get('owner') });

    // Grace, an Owner by hand (not by a group), sits in Staff: mapping Staff to Member would demote her.
    await scimRequest(url, ws.token, 'POST', '/Users', newUser(owner2.email));
    const staff = (await scimRequest(url, ws.token, 'POST', '/Groups', { displayName: 'Staff', members: [{ value: owner2.id }] })).body.id as string;
    await ws.owner.users.setRole({ id: owner2.id, roleId: ws.roles.get('owner')! });
    const kept = await ws.owner.provisioning.keptRoles();
    expect(kept).toEqual([expect.objectContaining({ email: owner2.email, roleName: 'Owner', groupRoleName: 'Read Only', message: expect.stringContaining('given in Seatwise') })]);
    const audited = await auditCount(ws.tenant.id);
    const moved = await refusal(admin.caller.provisioning.mapGroup({ groupId: staff, roleId: ws.roles.get('member')!, priority: 2 }));
    expect(moved).toMatchObject({
      code: 'FORBIDDEN',
      message: `Nothing was changed: the role of grace@${slug}.test would change. You cannot change the role of this user: their role, Owner, has permissions you do not have (billing.manage). Ask someone who holds them.`,
    });
    expect(await db()('scim_groups').where({ id: staff }).first('roleId')).toEqual({ roleId: null });
    expect(await auditCount(ws.tenant.id)).toBe(audited);
    expect((await identity(owner2.id))!.roleId).toBe(ws.roles.get('owner'));
    // The Owner may.
    await ws.owner.provisioning.mapGroup({ groupId: staff, roleId: ws.roles.get('member')!, priority: 2 });
    expect((await identity(owner2.id))!.roleId).toBe(ws.roles.get('member'));
  });

  it('the last active Owner, linked by an Owner’s token and kept as Owner, cannot be moved out of a group by an Admin’s token', async () => {
    const ws = await provisionedWorkspace(app, { sso: true });
    const admin = await signedIn(ws.tenant.id, ws.input.slug, `admin@${ws.input.slug}.test`, { key: 'admin' });
    const adminToken = (await admin.caller.provisioning.createToken({ name: 'Admin Okta' })).token;
    expect((await scimRequest(url, adminToken, 'POST', '/Users', newUser(ws.input.email))).status).toBe(403);
    expect((await scimRequest(url, ws.token, 'POST', '/Users', newUser(ws.input.email))).status).toBe(201);
    const group = (await scimRequest(url, ws.token, 'POST', '/Groups', { displayName: 'Staff', members: [{ value: ws.user.id }] })).body.id as string;
    // Staff is unmapped: Ada's groups give Read Only; she is kept as Owner.
    expect(await ws.owner.provisioning.keptRoles()).toEqual([expect.objectContaining({ email: ws.input.email, message: expect.stringMatching(/^Kept .* as Owner: the last active Owner is never demoted/) })]);
    const audited = await auditCount(ws.tenant.id);
    const removed = await scimRequest(url, adminToken, 'PATCH', `/Groups/${group}`, patch({ op: 'remove', path: 'members' }));
    expect(removed).toMatchObject({ status: 403, body: { detail: expect.stringContaining(`the role of ${ws.input.email} would change. You cannot change the role of this user: their role, Owner`) } });
    expect(await db()('scim_group_members').where({ groupId: group })).toHaveLength(1);
    expect(await auditCount(ws.tenant.id)).toBe(audited);
    expect((await identity(ws.user.id))!.roleId).toBe(ws.roles.get('owner'));
  });

  it('creating a token needs settings.manage and users.manage; the token keeps the permissions of its creation, shown in the list', async () => {
    const ws = await provisionedWorkspace(app, { standard: 10 });
    const slug = ws.input.slug;
    const settingsOnly = await ws.owner.roles.create({ name: 'Settings only', audience: 'internal', permissions: ['settings.manage', 'users.read'] });
    const clerk = await signedIn(ws.tenant.id, slug, `clerk@${slug}.test`, { id: settingsOnly.id });
    const tokens = () => db()('scim_tokens').where({ tenantId: ws.tenant.id }).count({ n: '*' }).then(([x]) => Number(x.n));
    expect(await refusal(clerk.caller.provisioning.createToken({ name: 'Okta' }))).toMatchObject({
      code: 'FORBIDDEN',
      message: 'You need the users.manage permission to create a provisioning token: the directory acts with your permissions.',
    });
    expect(await tokens()).toBe(1);

    const ops = await ws.owner.roles.create({ name: 'Ops', audience: 'internal', permissions: ['settings.manage', 'users.manage', 'users.read'] });
    const opsUser = await signedIn(ws.tenant.id, slug, `ops@${slug}.test`, { id: ops.id });
    const { token, id } = await opsUser.caller.provisioning.createToken({ name: 'Ops Okta' });
    const listed = (await ws.owner.provisioning.listTokens()).find((t) => t.id === id);
    expect(listed).toMatchObject({ creatorName: 'Test User', creatorRoleName: 'Ops', permissions: ['settings.manage', 'users.manage', 'users.read'] });
    const anAdmin = await insertUser(app, ws.tenant.id, { email: `admin@${slug}.test`, roleKey: 'admin' });

    // The role gains every permission later: the token does not (it still cannot link an Admin).
    await ws.owner.roles.update({ id: ops.id, permissions: ['settings.manage', 'users.manage', 'users.read', 'billing.manage', 'roles.manage', 'audit.read'] });
    expect(await scimRequest(url, token, 'POST', '/Users', newUser(anAdmin.email))).toMatchObject({
      status: 403,
      body: { detail: 'You cannot link this user: their role, Admin, has permissions you do not have (roles.manage, audit.read). Ask someone who holds them.' },
    });
    // The role loses users.manage later: the token still creates users as of its creation.
    await ws.owner.roles.update({ id: ops.id, permissions: ['settings.manage'] });
    expect((await scimRequest(url, token, 'POST', '/Users', newUser(`new@${slug}.test`))).status).toBe(201);

    // A token carrying no permissions (an old one whose creator is unknown) is refused, and says why.
    await db()('scim_tokens').where({ id }).update({ permissions: [] });
    expect(await scimRequest(url, token, 'GET', '/Users')).toMatchObject({ status: 403, body: { detail: expect.stringContaining('does not carry the users.read permission') } });
  });

  it('the migration gives tokens made before it their creator’s current role permissions, or none when the creator is unknown', async () => {
    const ws = await provisionedWorkspace(app);
    const admin = await signedIn(ws.tenant.id, ws.input.slug, `admin@${ws.input.slug}.test`, { key: 'admin' });
    const made = await admin.caller.provisioning.createToken({ name: 'Admin Okta' });
    const orphan = generateScimToken();
    await db()('scim_tokens').insert({ tenantId: ws.tenant.id, name: 'Orphan', prefix: orphan.prefix, tokenHash: orphan.hash, createdBy: null });
    // Down and up again on its own connection (knex's migrator changes the mappers of its instance).
    const migrator = createDb(app.database.url, { max: 1 });
    try {
      await migrator.migrate.down({ migrationSource, name: '20261201070000_scim_token_permissions' });
      await migrator.migrate.latest({ migrationSource });
    } finally {
      await migrator.destroy();
    }
    const stored = await db()('scim_tokens').where({ tenantId: ws.tenant.id }).orderBy('name').select('name', 'permissions', 'creatorRoleName');
    expect(stored).toEqual([
      { name: 'Admin Okta', permissions: ['users.read', 'users.manage', 'roles.manage', 'audit.read', 'settings.manage'], creatorRoleName: 'Admin' },
      { name: 'Okta', permissions: ['users.read', 'users.manage', 'billing.manage', 'roles.manage', 'audit.read', 'settings.manage'], creatorRoleName: 'Owner' },
      { name: 'Orphan', permissions: [], creatorRoleName: null },
    ]);
    expect(made.token).toMatch(/^sws_/);
    expect(await scimRequest(url, orphan.token, 'POST', '/Users', newUser(`x@${ws.input.slug}.test`))).toMatchObject({ status: 403, body: { detail: expect.stringContaining('does not carry the users.manage permission') } });
  });
});
