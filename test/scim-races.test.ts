import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, startHttp, type TestApp } from './helpers/app';
import { PATCH_OP, newUser, provisionedWorkspace, scimRequest } from './helpers/scim';
import { waitFor } from './helpers/wait';

/**
 * What a hostile or merely busy identity provider does to /scim/v2 (found by attacking it): a
 * PATCH path into Object.prototype, concurrent member changes to one group, directory changes
 * racing each other and the form for the same rows, look-alike emails, huge member removals.
 */
let app: TestApp;
let url: string;
beforeAll(async () => {
  app = await createTestApp({ SCIM_RATE_LIMIT: '100000' });
  ({ url } = await startHttp(app.deps));
});
const db = () => app.database.owner;
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** Until `n` backends of this test's database wait on a lock: the order of arrival is then known. */
const lockWaiters = (n: number) =>
  waitFor(`${n} requests waiting on a lock`, async () => {
    const { rows } = await db().raw(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`);
    return rows[0].n >= n;
  });
const addMember = (ws: { token: string }, group: string, user: string) =>
  scimRequest(url, ws.token, 'PATCH', `/Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: user }] }] });
const setActive = (ws: { token: string }, user: string, active: boolean) =>
  scimRequest(url, ws.token, 'PATCH', `/Users/${user}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: active }] });

async function workspaceWith(users: number, standard = users + 2) {
  const ws = await provisionedWorkspace(app, { standard });
  const answers = await Promise.all(Array.from({ length: users }, (_, i) => scimRequest(url, ws.token, 'POST', '/Users', newUser(`u${i}@${ws.input.slug}.test`))));
  const ids = answers.map((a) => a.body.id as string);
  const group = (await scimRequest(url, ws.token, 'POST', '/Groups', { schemas: [GROUP], displayName: 'Eng' })).body.id as string;
  return { ws, ids, group };
}

describe('SCIM PATCH paths never reach Object.prototype', () => {
  it('refuses __proto__, constructor and prototype in paths and value keys with 400, and the process stays clean', async () => {
    const { ws, ids, group } = await workspaceWith(1);
    const before = await db()('users').where({ id: ids[0] }).first();
    const attacks = [
      { op: 'add', path: '__proto__.polluted', value: 1 },
      { op: 'replace', path: '__proto__', value: { polluted: 1 } },
      { op: 'add', path: 'name.__proto__.polluted', value: 1 },
      { op: 'add', path: 'constructor.prototype.polluted', value: 1 },
      { op: 'add', path: 'emails[type eq "work"].__proto__', value: { polluted: 1 } },
      { op: 'add', value: JSON.parse('{"__proto__": {"polluted": 1}}') },
    ];
    for (const op of attacks) {
      const answer = await scimRequest(url, ws.token, 'PATCH', `/Users/${ids[0]}`, { schemas: [PATCH_OP], Operations: [op] });
      expect(answer.status, JSON.stringify(op)).toBe(400);
      expect(answer.body).toMatchObject({ status: '400', scimType: op.path ? 'invalidPath' : 'invalidValue' });
      const onGroup = await scimRequest(url, ws.token, 'PATCH', `/Groups/${group}`, { schemas: [PATCH_OP], Operations: [op] });
      expect(onGroup.status, JSON.stringify(op)).toBe(400);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await db()('users').where({ id: ids[0] }).first()).toEqual(before);
    // Another workspace still works.
    const other = await provisionedWorkspace(app);
    expect((await scimRequest(url, other.token, 'GET', '/Users')).status).toBe(200);
  });
});

describe('concurrent directory changes', () => {
  it('20 members added to one group at once all stay', async () => {
    const { ws, ids, group } = await workspaceWith(20);
    const answers = await Promise.all(ids.map((id) => addMember(ws, group, id)));
    expect(answers.map((a) => a.status)).toEqual(ids.map(() => 204));
    expect((await db()('scim_group_members').where({ groupId: group }).pluck('user_id')).sort()).toEqual([...ids].sort());
  });

  it('a member added while the same user is deactivated: both land, no deadlock, the role follows the group', async () => {
    const { ws, ids, group } = await workspaceWith(1);
    await ws.owner.provisioning.mapGroup({ groupId: group, roleId: ws.roles.get('member')!, priority: 1 });
    const hold = await db().transaction();
    await hold('tenants').where({ id: ws.tenant.id }).forUpdate().first('id');
    const deactivate = setActive(ws, ids[0], false);
    await lockWaiters(1);
    const join = addMember(ws, group, ids[0]);
    await lockWaiters(2);
    await hold.commit();
    expect((await deactivate).status).toBe(200);
    expect((await join).status).toBe(204);
    expect(await db()('users').where({ id: ids[0] }).first('status', 'roleId')).toEqual({ status: 'deactivated', roleId: ws.roles.get('member') });
  });

  it('a user unlinked while being added to a group leaves no membership of an unlinked user', async () => {
    const { ws, ids, group } = await workspaceWith(10);
    const answers = await Promise.all(ids.flatMap((id) => [scimRequest(url, ws.token, 'DELETE', `/Users/${id}`), addMember(ws, group, id)]));
    for (const a of answers) expect(a.status).toBeLessThan(500);
    const orphans = await db()('scim_group_members as m').join('users as u', 'u.id', 'm.user_id').where('m.group_id', group).where('u.scim_linked', false).count({ n: '*' });
    expect(Number(orphans[0].n)).toBe(0);
  });

  it('a create holding the seat lock and a reactivation waiting on it both finish (SCIM and the form)', async () => {
    const { ws, ids } = await workspaceWith(2, 10);
    for (const id of ids) await setActive(ws, id, false);
    for (const [n, create] of [
      [0, () => scimRequest(url, ws.token, 'POST', '/Users', newUser(`new@${ws.input.slug}.test`)).then((a) => a.status)],
      [1, () => ws.owner.users.create({ kind: 'standard', email: `form@${ws.input.slug}.test`, firstName: 'F', lastName: 'F' }).then(() => 201)],
    ] as const) {
      const hold = await db().transaction();
      await hold('seat_pools').where({ tenantId: ws.tenant.id, seatType: 'standard' }).forUpdate().first('purchased');
      const created = create();
      await lockWaiters(1);
      const reactivated = setActive(ws, ids[n], true);
      await lockWaiters(2);
      await hold.commit();
      expect(await created).toBe(201);
      expect((await reactivated).status).toBe(200);
    }
    expect(await db()('users').whereIn('id', ids).pluck('status')).toEqual(['invited', 'invited']);
  });

  it('SCIM creates, reactivations and form creates racing for the last seats never exceed them, nor make two users of one email', async () => {
    const { ws, ids } = await workspaceWith(3, 6);
    for (const id of ids.slice(0, 2)) await setActive(ws, id, false);
    const slug = ws.input.slug;
    const results = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => scimRequest(url, ws.token, 'POST', '/Users', newUser(`s${i}@${slug}.test`)).then((a) => a.status)),
      ...Array.from({ length: 6 }, (_, i) => ws.owner.users.create({ kind: 'standard', email: `f${i}@${slug}.test`, firstName: 'F', lastName: 'F' }).then(() => 201, (e) => (e as { code: string }).code)),
      ...ids.slice(0, 2).map((id) => setActive(ws, id, true).then((a) => a.status)),
      scimRequest(url, ws.token, 'POST', '/Users', newUser(`TWIN@${slug.toUpperCase()}.TEST`)).then((a) => a.status),
      ws.owner.users.create({ kind: 'standard', email: `twin@${slug}.test`, firstName: 'T', lastName: 'T' }).then(() => 201, (e) => (e as { code: string }).code),
    ]);
    for (const r of results) expect([200, 201, 403, 409, 'FORBIDDEN', 'CONFLICT']).toContain(r);
    const { rows } = await db().raw(`select count(*)::int as n from users where tenant_id = ? and kind = 'standard' and status in ('invited','active','suspended','locked') and not is_system`, [ws.tenant.id]);
    expect(rows[0].n).toBe(6);
    expect(Number((await db()('users').where({ tenantId: ws.tenant.id }).whereRaw('lower(email) = ?', [`twin@${slug}.test`]).count({ n: '*' }))[0].n)).toBeLessThanOrEqual(1);
  });
});

describe('what the directory sends is read as the form reads it', () => {
  it('refuses look-alike emails the form refuses, even where no invitation would be sent', async () => {
    const ws = await provisionedWorkspace(app, { standard: 20, sso: true });
    const slug = ws.input.slug;
    for (const email of [`ann@${slug}.test\u200b`, `ann\u00ad@${slug}.test`, `ann@${slug}.test.`, `a"b@${slug}.test`, `<b>ann</b>@${slug}.test`]) {
      const answer = await scimRequest(url, ws.token, 'POST', '/Users', newUser(email));
      expect(answer.status, email).toBe(400);
      expect(answer.body).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('userName') });
    }
    expect(await db()('users').where({ tenantId: ws.tenant.id }).count({ n: '*' })).toEqual([{ n: '1' }]);
  });

  it('removes 5,000 members listed by value in one operation, and serves members asked for by their full URN', async () => {
    const { ws, ids, group } = await workspaceWith(3);
    await scimRequest(url, ws.token, 'PATCH', `/Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }] });
    const byUrn = await scimRequest(url, ws.token, 'GET', `/Groups/${group}?attributes=${GROUP}:members`);
    expect((byUrn.body.members as unknown[]).length).toBe(3);
    const strangers = Array.from({ length: 5_000 }, (_, i) => ({ value: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }));
    const answer = await scimRequest(url, ws.token, 'PATCH', `/Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [...strangers, { value: ids[0] }] }] });
    expect(answer.status).toBe(204);
    expect((await db()('scim_group_members').where({ groupId: group }).pluck('user_id')).sort()).toEqual(ids.slice(1).sort());
    const tooMany = await scimRequest(url, ws.token, 'PATCH', `/Groups/${group}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: 'members', value: [...strangers, ...strangers, { value: ids[1] }] }],
    });
    expect(tooMany).toMatchObject({ status: 400, body: { detail: expect.stringContaining('at most 10000') } });
    expect(await db()('scim_group_members').where({ groupId: group }).count({ n: '*' })).toEqual([{ n: '2' }]);
  });

  it('answers 404 for an id that is no uuid', async () => {
    const ws = await provisionedWorkspace(app);
    for (const id of ['-'.repeat(36), 'a'.repeat(36)]) {
      expect((await scimRequest(url, ws.token, 'GET', `/Users/${id}`)).status).toBe(404);
      expect((await scimRequest(url, ws.token, 'DELETE', `/Users/${id}`)).status).toBe(404);
    }
  });
});
