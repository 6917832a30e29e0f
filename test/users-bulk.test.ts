import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, memoryCookies, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { insertUser, signUp } from './helpers/factories';

/**
 * Issue #18: bulk deactivate / ban / resend invitation. Each user meets the single action's rules
 * (users.manage, nobody with more power, not yourself, the transition table), all or none.
 */
let app: TestApp;
let ws: Awaited<ReturnType<typeof signUp>>;
const password = 'a good long password';

beforeAll(async () => {
  app = await createTestApp();
  ws = await signUp(app);
  await app.database.owner('seat_pools').where({ tenantId: ws.tenant.id }).update({ included: 30 });
});

const person = (email: string, options: Parameters<typeof insertUser>[2] extends infer O ? Partial<O> : never = {}) =>
  insertUser(app, ws.tenant.id, { email: `${email}@${ws.tenant.slug}.test`, password, ...options });

async function signedIn(email: string) {
  const cookies = memoryCookies();
  await (await app.caller(cookies)).auth.login({ workspace: ws.tenant.slug, email, password });
  return app.caller(cookies);
}

const statuses = async (ids: string[]) =>
  Object.fromEntries((await app.database.owner('users').whereIn('id', ids).select('id', 'status')).map((u) => [u.id, u.status]));

const audited = async (ids: string[], action: string) => app.database.owner('audit_events').whereIn('targetId', ids).where({ action }).select('targetId', 'after');

describe('users.bulkSetStatus and users.bulkResendInvitation', () => {
  it('deactivates and bans several users at once, each audited and signed out like the single action', async () => {
    const [a, b] = [await person('bulk-a'), await person('bulk-b')];
    const aCaller = await signedIn(a.email);
    expect(await ws.owner.users.bulkSetStatus({ ids: [a.id, b.id, a.id], status: 'deactivated' })).toMatchObject({ count: 2 });
    expect(await statuses([a.id, b.id])).toEqual({ [a.id]: 'deactivated', [b.id]: 'deactivated' });
    const events = await audited([a.id, b.id], 'user.status_changed');
    expect(events.map((e) => e.after)).toEqual([
      { status: 'deactivated', reason: null },
      { status: 'deactivated', reason: null },
    ]);
    expect((await refusal(aCaller.auth.me())).code).toBe('UNAUTHORIZED');

    expect(await ws.owner.users.bulkSetStatus({ ids: [a.id, b.id], status: 'banned', reason: 'Contract ended' })).toMatchObject({ count: 2 });
    expect(await statuses([a.id, b.id])).toEqual({ [a.id]: 'banned', [b.id]: 'banned' });
    expect((await audited([a.id], 'user.status_changed')).at(-1)?.after).toEqual({ status: 'banned', reason: 'Contract ended' });
  });

  it('refuses a Member (no users.manage) and changes nothing', async () => {
    const member = await person('bulk-member');
    const target = await person('bulk-target');
    const memberCaller = await signedIn(member.email);
    const refused = await refusal(memberCaller.users.bulkSetStatus({ ids: [target.id], status: 'deactivated' }));
    expect(refused.code).toBe('FORBIDDEN');
    expect(await statuses([target.id])).toEqual({ [target.id]: 'active' });
  });

  it('refuses the whole batch when one user holds permissions the actor lacks, naming them, and changes nothing', async () => {
    const admin = await person('bulk-admin', { roleKey: 'admin' });
    const owner2 = await person('bulk-owner', { roleKey: 'owner' });
    const plain = await person('bulk-plain');
    const adminCaller = await signedIn(admin.email);
    const refused = await refusal(adminCaller.users.bulkSetStatus({ ids: [plain.id, owner2.id], status: 'banned', reason: 'Takeover' }));
    expect(refused.code).toBe('FORBIDDEN');
    expect(refused.message).toMatch(/^Nothing was changed: 1 user of 2 cannot be banned\. Test User \(bulk-owner@.*\): You cannot change the status of this user: their role, Owner, has permissions you do not have \(billing\.manage\)/);
    expect(refused.data).toMatchObject({ reason: 'BULK_REFUSED', refused: [{ id: owner2.id, reason: 'OUTRANKED', code: 'FORBIDDEN' }] });
    expect(await statuses([plain.id, owner2.id])).toEqual({ [plain.id]: 'active', [owner2.id]: 'active' });
    expect(await audited([plain.id, owner2.id], 'user.status_changed')).toEqual([]);

    // Yourself in a batch: refused by name too.
    const self = await refusal(adminCaller.users.bulkSetStatus({ ids: [plain.id, admin.id], status: 'deactivated' }));
    expect(self.data).toMatchObject({ reason: 'BULK_REFUSED', refused: [{ id: admin.id, reason: 'SELF' }] });
    expect(await statuses([plain.id, admin.id])).toEqual({ [plain.id]: 'active', [admin.id]: 'active' });
  });

  it('bad ids and inputs are 4xx with a clear message, and change nothing', async () => {
    const plain = await person('bulk-input');
    const cases = [
      [{ ids: [], status: 'deactivated' }, 'BAD_REQUEST', 'Select at least one user'],
      [{ ids: ['not-a-uuid'], status: 'deactivated' }, 'BAD_REQUEST', 'Not a valid user id'],
      [{ ids: Array.from({ length: 101 }, () => plain.id), status: 'deactivated' }, 'BAD_REQUEST', 'Select at most 100 users at a time'],
      [{ ids: [plain.id], status: 'banned' }, 'BAD_REQUEST', 'Give a reason for the ban. It is kept with the users.'],
      [{ ids: [plain.id], status: 'active' }, 'BAD_REQUEST', 'Choose suspended, deactivated or banned'],
    ] as const;
    for (const [input, code, message] of cases) {
      const refused = await refusal(ws.owner.users.bulkSetStatus(input as never));
      expect({ code: refused.code, messages: JSON.stringify(refused.fieldErrors) }).toEqual({ code, messages: expect.stringContaining(message) });
    }
    const unknown = '00000000-0000-4000-8000-000000000000';
    const notFound = await refusal(ws.owner.users.bulkSetStatus({ ids: [plain.id, unknown], status: 'deactivated' }));
    expect(notFound.code).toBe('NOT_FOUND');
    expect(notFound.message).toContain(`Unknown user ${unknown}: User not found`);
    // An id of another workspace is unknown here, never changed.
    const other = await signUp(app);
    const foreign = await refusal(ws.owner.users.bulkSetStatus({ ids: [other.user.id], status: 'deactivated' }));
    expect(foreign.code).toBe('NOT_FOUND');
    expect(await statuses([plain.id, other.user.id])).toEqual({ [plain.id]: 'active', [other.user.id]: 'active' });
  });

  it('resends invitations to invited users only, all or none', async () => {
    const [x, y] = [await person('bulk-inv-x', { status: 'invited', password: null }), await person('bulk-inv-y', { status: 'invited', password: null })];
    const active = await person('bulk-inv-active');
    const refused = await refusal(ws.owner.users.bulkResendInvitation({ ids: [x.id, active.id] }));
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toContain('cannot be sent an invitation');
    expect(refused.message).toContain('Only invited users get invitations; this user is active.');
    expect(await audited([x.id, active.id], 'user.invitation_sent')).toEqual([]);

    expect(await ws.owner.users.bulkResendInvitation({ ids: [x.id, y.id] })).toMatchObject({ count: 2 });
    expect((await audited([x.id, y.id], 'user.invitation_sent')).map((e) => e.targetId).sort()).toEqual([x.id, y.id].sort());
  });
});
