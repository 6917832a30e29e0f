import { beforeAll, describe, expect, it } from 'vitest';
import { issueOneTimeToken } from '../server/domain/auth/one-time-tokens';
import { createTestApp, memoryCookies, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { signUp } from './helpers/factories';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});

const attempt = async (slug: string, email: string, password: string) =>
  (await app.caller(memoryCookies())).auth.login({ workspace: slug, email, password }).then(
    () => 'ok',
    () => 'refused',
  );

describe("the workspace's sign-in history (users.loginHistory without an id)", () => {
  it('lists every attempt, unknown emails included, with filters; invitations sign in on the record; other workspaces stay out', async () => {
    const a = await signUp(app);
    const b = await signUp(app);
    await app.database.owner('seat_pools').where({ tenantId: a.tenant.id }).update({ included: 5 });
    expect(await attempt(a.tenant.slug, a.input.email, 'not my password')).toBe('refused');
    expect(await attempt(a.tenant.slug, 'nobody@example.test', 'guessing')).toBe('refused');
    expect(await attempt(b.tenant.slug, b.input.email, 'b is wrong too')).toBe('refused');
    const grace = await a.owner.users.create({ kind: 'standard', email: 'grace@example.test', firstName: 'Grace', lastName: 'Hopper' });
    const token = await app.database.owner.transaction((trx) => issueOneTimeToken({ trx, tenantId: a.tenant.id, userId: grace.id, purpose: 'invitation', now: app.clock.now() }));
    await (await app.caller(memoryCookies())).auth.acceptInvite({ token, password: 'grace has a long password' });

    const all = await a.owner.users.loginHistory({});
    expect(all.items.map((e) => [e.email, e.result, e.userName])).toEqual([
      ['grace@example.test', 'success', 'Grace Hopper'],
      ['nobody@example.test', 'unknown_user', null],
      [a.input.email, 'wrong_password', 'Ada Lovelace'],
    ]);
    expect(all.items[0].message).toBe('Signed in by accepting the invitation.');
    expect((await a.owner.users.loginHistory({ result: 'unknown_user' })).items.map((e) => e.email)).toEqual(['nobody@example.test']);
    expect((await a.owner.users.loginHistory({ email: 'GRACE@example.test' })).items).toHaveLength(1);
    expect((await a.owner.users.loginHistory({ id: grace.id })).items.map((e) => e.result)).toEqual(['success']);
    expect((await a.owner.users.loginHistory({ to: new Date(0).toISOString() })).items).toEqual([]);
    expect((await b.owner.users.loginHistory({})).items.map((e) => e.email)).toEqual([b.input.email]);

    expect(await refusal(a.owner.users.loginHistory({ result: 'hacked' } as never))).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { result: ['Choose a result from the list'] } });
    expect((await refusal(a.owner.users.loginHistory({ id: b.user.id }))).code).toBe('NOT_FOUND');
  });
});
