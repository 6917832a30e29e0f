import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { signUp } from './helpers/factories';
import type { UserRow } from '../db/tables';
import { withTenant } from '../db/index';
import { listUsersInput } from '../server/contract/users';
import { listUsers } from '../server/domain/users/read';

let app: TestApp;
let ws: Awaited<ReturnType<typeof signUp>>;

beforeAll(async () => {
  app = await createTestApp();
  ws = await signUp(app);
  const roles = await ws.owner.roles.list();
  const member = roles.find((r) => r.key === 'member')!.id;
  const readOnly = roles.find((r) => r.key === 'read_only')!.id;
  const client = roles.find((r) => r.key === 'client')!.id;
  const rows: Partial<UserRow>[] = Array.from({ length: 120 }, (_, i) => ({
    tenantId: ws.tenant.id,
    kind: i % 10 === 0 ? 'client' : 'standard',
    email: `user${String(i).padStart(3, '0')}@${i % 3 === 0 ? 'globex' : 'initech'}.test`,
    userName: i % 4 === 0 ? `handle_${i}` : null,
    firstName: i % 7 === 0 ? 'Zoë' : 'Sam',
    lastName: `Example${i}`,
    displayName: `${i % 7 === 0 ? 'Zoë' : 'Sam'} Example${i}`,
    roleId: i % 10 === 0 ? client : i % 2 ? member : readOnly,
    status: i % 5 === 0 ? 'deactivated' : 'active',
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
    lastSignInAt: i % 3 === 0 ? null : new Date(Date.UTC(2026, 5, 1, 0, 120 - i)),
  }));
  await app.database.owner('users').insert(rows);
});

async function collect(input: Parameters<typeof ws.owner.users.list>[0], between?: (page: number) => Promise<void>) {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    const result = await ws.owner.users.list({ ...input, cursor, limit: 25 });
    ids.push(...result.items.map((u) => u.id));
    if (!result.nextCursor) return ids;
    cursor = result.nextCursor;
    await between?.(page);
  }
}

describe('users.list', () => {
  it('searches names, email and user name case-insensitively by substring', async () => {
    const byName = await ws.owner.users.list({ q: 'zoË', limit: 200 });
    expect(byName.items.length).toBe(18);
    expect(byName.items.every((u) => u.firstName === 'Zoë')).toBe(true);
    expect((await ws.owner.users.list({ q: 'GLOBEX', limit: 200 })).items).toHaveLength(40);
    expect((await ws.owner.users.list({ q: 'handle_1', limit: 200 })).items.map((u) => u.userName).sort()).toEqual(
      ['handle_100', 'handle_104', 'handle_108', 'handle_112', 'handle_116', 'handle_12', 'handle_16'],
    );
    expect((await ws.owner.users.list({ q: '100%', limit: 200 })).items).toEqual([]);
  });

  it('filters by status, kind and role, and combines them', async () => {
    const roles = await ws.owner.roles.list();
    const member = roles.find((r) => r.key === 'member')!.id;
    expect((await ws.owner.users.list({ status: 'deactivated', limit: 200 })).items).toHaveLength(24);
    expect((await ws.owner.users.list({ kind: 'client', limit: 200 })).items).toHaveLength(12);
    const members = await ws.owner.users.list({ roleId: member, status: 'active', limit: 200 });
    expect(members.items.every((u) => u.roleId === member && u.status === 'active')).toBe(true);
    expect(members.items).toHaveLength(48);
  });

  it.each(['name', 'created', 'lastSignIn'] as const)('pages by %s with no duplicates and no gaps', async (sort) => {
    const all = (await ws.owner.users.list({ sort, limit: 200 })).items.map((u) => u.id);
    expect(all).toHaveLength(121);
    expect(await collect({ sort })).toEqual(all);
  });

  it('keeps its place while users are added between pages', async () => {
    const before = (await ws.owner.users.list({ sort: 'created', limit: 200 })).items.map((u) => u.id);
    const seen = await collect({ sort: 'created' }, async (page) => {
      await app.database.owner('users').insert({
        tenantId: ws.tenant.id,
        kind: 'standard',
        email: `late${page}@example.test`,
        firstName: 'Late',
        lastName: String(page),
        displayName: `Late ${page}`,
        roleId: ws.user.roleId,
        status: 'active',
      });
    });
    // Newest first: rows added meanwhile sort before the cursor, so the pages still show every
    // earlier user exactly once.
    expect(seen).toEqual(before);
  });

  it('refuses a forged cursor with a clear message', async () => {
    const refused = await refusal(ws.owner.users.list({ cursor: 'not-a-cursor' }));
    expect(refused).toMatchObject({ code: 'BAD_REQUEST', message: 'This page link is no longer valid. Start from the first page.' });
  });

  it('counts the matching users with every filter, on every page', async () => {
    // 120 users, the Owner, and those an earlier test added.
    const everyone = (await ws.owner.users.list({ limit: 200 })).items.length;
    expect(everyone).toBeGreaterThanOrEqual(121);
    expect((await ws.owner.users.list({ limit: 10, withTotal: true })).total).toBe(everyone);
    const page2 = await ws.owner.users.list({ limit: 10, withTotal: true, cursor: (await ws.owner.users.list({ limit: 10 })).nextCursor! });
    expect({ total: page2.total, capped: page2.totalCapped }).toEqual({ total: everyone, capped: false });
    expect((await ws.owner.users.list({ status: 'deactivated', limit: 5, withTotal: true })).total).toBe(24);
    expect((await ws.owner.users.list({ q: 'zoË', kind: 'standard', limit: 5, withTotal: true })).total).toBe(
      (await ws.owner.users.list({ q: 'zoË', kind: 'standard', limit: 200 })).items.length,
    );
    expect((await ws.owner.users.list({ q: 'nobody-is-called-this', withTotal: true })).total).toBe(0);
    // Without asking, no count is made.
    expect(await ws.owner.users.list({ limit: 10 })).toMatchObject({ total: null, totalCapped: false });
  });

  it('caps the count at 10,000 and says there are more', async () => {
    const big = await signUp(app);
    const role = (await app.database.owner('roles').where({ tenantId: big.tenant.id, key: 'member' }).first('id'))!;
    await app.database.owner.raw(
      `insert into users (tenant_id, kind, email, first_name, last_name, display_name, role_id, status)
       select ?, 'standard', 'cap' || g || '@cap.test', 'Cap', 'User' || g, 'Cap User ' || g, ?, 'active' from generate_series(1, 10005) g`,
      [big.tenant.id, role.id],
    );
    const all = await big.owner.users.list({ limit: 3, withTotal: true });
    expect({ total: all.total, capped: all.totalCapped, shown: all.items.length }).toEqual({ total: 10_000, capped: true, shown: 3 });
    // 10,005 users and the Owner: the cap counts 10,001 at most, never the rest.
    const few = await big.owner.users.list({ q: 'cap user 1000', limit: 3, withTotal: true });
    expect({ total: few.total, capped: few.totalCapped }).toEqual({ total: 7, capped: false });
  });

  it.each(['name', 'created', 'lastSignIn'] as const)('sorts by %s both ways, and pages both ways', async (sort) => {
    const asc = (await ws.owner.users.list({ sort, dir: 'asc', limit: 200 })).items.map((u) => u.id);
    const desc = (await ws.owner.users.list({ sort, dir: 'desc', limit: 200 })).items.map((u) => u.id);
    expect(asc.length).toBeGreaterThanOrEqual(121);
    expect(desc).toEqual([...asc].reverse());
    expect(await collect({ sort, dir: 'asc' })).toEqual(asc);
    // The default direction is the sort's own: names A to Z, times newest first.
    expect((await ws.owner.users.list({ sort, limit: 200 })).items.map((u) => u.id)).toEqual(sort === 'name' ? asc : desc);

    // Forwards to the last page, then back with each page's prevCursor: the same pages in reverse.
    const forwards: string[][] = [];
    let result = await ws.owner.users.list({ sort, dir: 'desc', limit: 25 });
    expect(result.prevCursor).toBeNull();
    forwards.push(result.items.map((u) => u.id));
    while (result.nextCursor) {
      result = await ws.owner.users.list({ sort, dir: 'desc', limit: 25, cursor: result.nextCursor });
      forwards.push(result.items.map((u) => u.id));
    }
    expect(forwards.length).toBe(Math.ceil(asc.length / 25));
    expect(forwards.flat()).toEqual(desc);
    const backwards: string[][] = [result.items.map((u) => u.id)];
    while (result.prevCursor) {
      result = await ws.owner.users.list({ sort, dir: 'desc', limit: 25, before: result.prevCursor });
      backwards.unshift(result.items.map((u) => u.id));
    }
    expect(backwards).toEqual(forwards);
    expect(result.nextCursor).not.toBeNull();
  });

  it('going back to a start that holds less than a page shows the whole first page', async () => {
    const ten = await ws.owner.users.list({ limit: 10 });
    const second = await ws.owner.users.list({ limit: 10, cursor: ten.nextCursor! });
    const back = await ws.owner.users.list({ limit: 25, before: second.prevCursor! });
    const first = await ws.owner.users.list({ limit: 25 });
    expect(back.items.map((u) => u.id)).toEqual(first.items.map((u) => u.id));
    expect(back.prevCursor).toBeNull();
    expect(back.nextCursor).toBe(first.nextCursor);
  });

  it('refuses a forged previous-page cursor and an unknown direction', async () => {
    expect(await refusal(ws.owner.users.list({ before: 'not-a-cursor' }))).toMatchObject({ code: 'BAD_REQUEST', message: 'This page link is no longer valid. Start from the first page.' });
    expect(await refusal(ws.owner.users.list({ dir: 'sideways' as 'asc' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('users.list search plans (issue #20)', () => {
  const plans = [{ plan: 'walk' }, { plan: 'trigram' }, { plan: 'auto' }, { plan: 'auto', walkRows: 10 }] as const;

  /** Every page of a search run one way, as the ids in the order they came. */
  async function searchAll(input: { q: string; sort: 'name' | 'created' | 'lastSignIn'; status?: 'active' }, options: (typeof plans)[number]) {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const result = await withTenant(app.database.web, ws.tenant.id, (trx) => listUsers(trx, listUsersInput.parse({ ...input, cursor, limit: 10 }), options));
      ids.push(...result.items.map((u) => u.id));
      if (!result.nextCursor) return ids;
      cursor = result.nextCursor;
    }
  }

  // Short and long, common and rare, matching nothing, across fields, and LIKE's own characters;
  // each in one of the orders, with a filter on every other.
  const cases = [
    ['a', 'name'], ['zo', 'created'], ['sam', 'lastSignIn'], ['example1', 'name'], ['zoë example', 'created'],
    ['handle_1', 'lastSignIn'], ['_', 'name'], ['qq', 'created'], ['nothing here', 'lastSignIn'],
  ] as const;

  it.each(cases)('finds the same users in the same order whichever way it searches %j (by %s), across pages', async (q, sort) => {
    const status = q.length % 2 ? undefined : ('active' as const);
    const expected = (await ws.owner.users.list({ q, sort, status, limit: 200 })).items.map((u) => u.id);
    for (const options of plans) expect(await searchAll({ q, sort, status }, options), JSON.stringify(options)).toEqual(expected);
  });

  it('matches % and _ literally, and the plans agree on what they match', async () => {
    const handles = (await ws.owner.users.list({ q: '_', limit: 200 })).items;
    expect(handles).toHaveLength(30);
    expect(handles.every((u) => u.userName?.includes('_'))).toBe(true);
    expect((await ws.owner.users.list({ q: 'e_1', limit: 200 })).items.map((u) => u.userName).sort()).toEqual(['handle_100', 'handle_104', 'handle_108', 'handle_112', 'handle_116', 'handle_12', 'handle_16']);
    expect((await ws.owner.users.list({ q: '%', limit: 200 })).items).toEqual([]);
    expect((await ws.owner.users.list({ q: 'example1', limit: 200 })).items).toHaveLength(31);
  });
});
