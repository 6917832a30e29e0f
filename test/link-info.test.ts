import { beforeAll, describe, expect, it } from 'vitest';
import { issueOneTimeToken, type TokenPurpose } from '../server/domain/auth/one-time-tokens';
import { hashToken } from '../server/domain/auth/tokens';
import { createTestApp, memoryCookies, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { insertUser, signUp } from './helpers/factories';

/** Issue #18: the invitation and reset pages check their link when they open, without using it up. */
let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});

const INVITATION_INVALID = 'This invitation link has expired or has already been used. Ask your administrator to send you a new one.';
const RESET_INVALID = 'This password reset link has expired or has already been used. Request a new one.';
const issue = (tenantId: string, userId: string, purpose: TokenPurpose) =>
  app.database.owner.transaction((trx) => issueOneTimeToken({ trx, tenantId, userId, purpose, now: app.clock.now() }));
const usedAt = (token: string) => app.database.owner('one_time_tokens').where({ tokenHash: hashToken(token) }).first('usedAt');

describe('auth.invitationInfo', () => {
  it('says whom a live link is for and leaves it usable; a used, replaced, expired, unknown or malformed link is refused', async () => {
    const { tenant, owner } = await signUp(app, { companyName: 'Links Ltd' });
    const ivy = await owner.users.create({ kind: 'standard', email: 'ivy@links.test', firstName: 'Ivy', lastName: 'Invited' });
    const replaced = await issue(tenant.id, ivy.id, 'invitation');
    const token = await issue(tenant.id, ivy.id, 'invitation');
    const anonymous = await app.caller();

    expect(await anonymous.auth.invitationInfo({ token })).toEqual({ email: 'ivy@links.test', firstName: 'Ivy', workspace: 'Links Ltd', slug: tenant.slug });
    expect(await anonymous.auth.invitationInfo({ token })).toMatchObject({ email: 'ivy@links.test' });
    expect((await usedAt(token))?.usedAt).toBeNull();

    const dead = { code: 'NOT_FOUND', message: INVITATION_INVALID, data: expect.objectContaining({ reason: 'LINK_INVALID' }) };
    expect(await refusal(anonymous.auth.invitationInfo({ token: replaced }))).toMatchObject(dead);
    expect(await refusal(anonymous.auth.invitationInfo({ token: 'x'.repeat(43) }))).toMatchObject(dead);
    expect(await refusal(anonymous.auth.invitationInfo({ token: 'bogus' }))).toMatchObject({ code: 'BAD_REQUEST' });

    // Still usable after being looked at; once accepted, dead.
    await (await app.caller(memoryCookies())).auth.acceptInvite({ token, password: 'ivy has a long password' });
    expect(await refusal(anonymous.auth.invitationInfo({ token }))).toMatchObject(dead);

    // Expired after 7 days.
    const late = await owner.users.create({ kind: 'standard', email: 'late@links.test', firstName: 'Late', lastName: 'Comer' });
    const old = await issue(tenant.id, late.id, 'invitation');
    app.clock.advance(7 * 24 * 3600_000 + 1000);
    try {
      expect(await refusal(anonymous.auth.invitationInfo({ token: old }))).toMatchObject(dead);
    } finally {
      app.clock.advance(-(7 * 24 * 3600_000 + 1000));
    }
  });
});

describe('auth.resetLinkInfo', () => {
  it('says whose password a live link sets and leaves it usable; a used link or a suspended user is refused', async () => {
    const { tenant } = await signUp(app, { companyName: 'Resets Ltd' });
    const mel = await insertUser(app, tenant.id, { email: 'mel@resets.test' });
    const token = await issue(tenant.id, mel.id, 'password_reset');
    const anonymous = await app.caller();

    expect(await anonymous.auth.resetLinkInfo({ token })).toEqual({ email: 'mel@resets.test', workspace: 'Resets Ltd', slug: tenant.slug });
    expect((await usedAt(token))?.usedAt).toBeNull();
    // A reset link is not an invitation.
    expect(await refusal(anonymous.auth.invitationInfo({ token }))).toMatchObject({ code: 'NOT_FOUND' });

    const dead = { code: 'NOT_FOUND', message: RESET_INVALID };
    await app.database.owner('users').where({ id: mel.id }).update({ status: 'suspended' });
    expect(await refusal(anonymous.auth.resetLinkInfo({ token }))).toMatchObject(dead);
    await app.database.owner('users').where({ id: mel.id }).update({ status: 'active' });

    await (await app.caller(memoryCookies())).auth.resetPassword({ token, password: 'mel has a new password' });
    expect(await refusal(anonymous.auth.resetLinkInfo({ token }))).toMatchObject(dead);
  });
});
