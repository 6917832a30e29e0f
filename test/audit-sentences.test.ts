import { beforeAll, describe, expect, it } from 'vitest';
import { auditSentence } from '../app/utils/audit-sentences';
import { aSeat, seatCount } from '../server/contract/seats';
import { createTestApp, type TestApp } from './helpers/app';
import { signUp } from './helpers/factories';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});

describe('the audit log reads as sentences, with people by name', () => {
  it('names the actor and the user acted on, the reason, API keys and Stripe', async () => {
    const { owner, tenant } = await signUp(app);
    await app.database.owner('seat_pools').where({ tenantId: tenant.id }).update({ included: 5 });
    const grace = await owner.users.create({ kind: 'standard', email: 'grace@example.test', firstName: 'Grace', lastName: 'Hopper' });
    // As if Grace had accepted her invitation and set a password.
    await app.database.owner('users').where({ id: grace.id }).update({ status: 'active', passwordHash: 'set' });
    await owner.users.setStatus({ id: grace.id, status: 'suspended', reason: 'Security review' });
    await owner.users.setStatus({ id: grace.id, status: 'banned', reason: 'Left for a competitor' });
    await owner.users.setStatus({ id: grace.id, status: 'active' });
    const bot = await owner.users.create({ kind: 'api', email: 'bot@example.test', firstName: 'Build', lastName: 'Bot' });
    await app.database.owner('seat_pools').where({ tenantId: tenant.id, seatType: 'api' }).update({ included: 1 });
    const key = await owner.apiKeys.create({ userId: bot.id, name: 'nightly' });
    await owner.apiKeys.revoke({ id: key.id });
    await app.database.owner('audit_events').insert({
      tenantId: tenant.id,
      actorType: 'stripe',
      actorId: 'evt_1',
      actorLabel: 'customer.subscription.updated',
      action: 'seats.changed',
      targetType: 'seat_pool',
      targetId: 'standard',
      before: JSON.stringify({ purchased: 5 }),
      after: JSON.stringify({ purchased: 8 }),
    });

    const { items } = await owner.audit.list({ limit: 50 });
    const sentences = items.map((e) => auditSentence(e)).reverse();
    expect(sentences).toEqual([
      'Ada Lovelace created the workspace Acme Inc',
      'Ada Lovelace added Grace Hopper as User with the Member role',
      'Ada Lovelace suspended Grace Hopper: Security review',
      'Ada Lovelace banned Grace Hopper: Left for a competitor',
      'Ada Lovelace unbanned Grace Hopper',
      'Ada Lovelace added Build Bot as API User with the Integration role',
      'Ada Lovelace created the API key “nightly” for Build Bot',
      'Ada Lovelace revoked the API key “nightly” of Build Bot (revoked by an administrator)',
      'Stripe changed purchased User seats from 5 to 8 (subscription updated)',
    ]);
  });

  it('counts seats in good English, words Stripe events, and reads a profile change as a sentence', () => {
    const base = { actorType: 'user', actorLabel: 'ada@example.test', actorName: 'Ada Lovelace', targetType: null, targetId: null, targetName: null, before: null };
    const buying = (quantity: number) => auditSentence({ ...base, action: 'billing.checkout_started', after: { quantity, seatType: 'api' } });
    expect(buying(1)).toBe('Ada Lovelace started buying 1 API User seat');
    expect(buying(3)).toBe('Ada Lovelace started buying 3 API User seats');
    const stripe = (actorLabel: string) =>
      auditSentence({ ...base, actorType: 'stripe', actorLabel, action: 'seats.changed', targetType: 'seat_pool', targetId: 'client', before: { purchased: 0 }, after: { purchased: 1 } });
    expect(stripe('customer.subscription.created')).toBe('Stripe changed purchased Client User seats from 0 to 1 (subscription created)');
    expect(stripe('invoice.payment_failed')).toBe('Stripe changed purchased Client User seats from 0 to 1 (payment failed)');
    expect(stripe('customer.something_new')).toBe('Stripe changed purchased Client User seats from 0 to 1 (customer.something_new)');
    const profile = auditSentence({ ...base, action: 'user.profile_updated', targetType: 'user', targetName: 'Ada Lovelace', after: { timeZone: 'Europe/Paris', displayName: 'Ada' } });
    expect(profile).toBe('Ada Lovelace updated their profile (time zone, display name)');
    const sso = { protocol: 'saml', displayName: 'Okta', passwordSignIn: 'owners', jitProvisioning: true };
    expect(auditSentence({ ...base, action: 'sso.configured', after: sso })).toBe(
      'Ada Lovelace set up single sign-on with Okta (SAML 2.0; passwords for Owners only, just-in-time provisioning on)',
    );
    expect(auditSentence({ ...base, action: 'sso.disabled', before: sso, after: { ...sso, enabled: false } })).toBe('Ada Lovelace turned single sign-on with Okta off');
    expect(seatCount(1, 'client')).toBe('1 Client User seat');
    expect(seatCount(2, 'Client User')).toBe('2 Client User seats');
    expect([aSeat('api'), aSeat('client'), aSeat('standard')]).toEqual(['an API User seat', 'a Client User seat', 'a User seat']);
  });

  it('never hides an event it has no sentence for', () => {
    const e = { actorType: 'user', actorLabel: 'x@example.test', actorName: null, action: 'something.new', targetType: null, targetId: null, targetName: null, before: null, after: null };
    expect(auditSentence(e)).toBe('x@example.test: something.new');
  });
});
