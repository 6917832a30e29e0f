import { createHmac, generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../db/index';
import { issueOneTimeToken } from '../server/domain/auth/one-time-tokens';
import { NOT_THIS_BROWSER } from '../server/domain/sso/oidc';
import { generateSigningKey } from '../server/sso-idp/keys';
import { buildSamlResponse } from '../server/sso-idp/saml-idp';
import { subjectFor } from '../server/sso-idp/oidc-idp';
import { emailTakenMessage, noAccountMessage, unverifiedEmailMessage } from '../server/domain/sso/sign-in';
import { checkIssuer } from '../server/domain/sso/connection';
import { notActiveMessage, NOT_NAMED } from '../server/domain/auth/sign-in';
import { memoryCookies, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { insertUser, signUp } from './helpers/factories';
import { agent, oidcCallback, oidcSignIn, oidcSettings, postAcs, samlAnswer, startSsoStack, type Agent } from './helpers/sso';
import { onCleanup } from './setup/cleanup';
import { waitFor } from './helpers/wait';

let app: TestApp;
let url: string;
let idps: Awaited<ReturnType<typeof startSsoStack>>;

beforeAll(async () => {
  idps = await startSsoStack();
  ({ app, url } = idps);
});

const SESSION = 'seatwise_session';
const MESSAGE = 'seatwise_sso_message';
const messageOf = (a: Agent) => decodeURIComponent(a.cookie(url, MESSAGE) ?? '');
const lastEvent = (tenantId: string) => app.database.owner('login_events').where({ tenantId }).orderBy('id', 'desc').first();
const sessionsOf = async (userId: string) => Number((await app.database.owner('sessions').where({ userId }).count({ n: '*' }))[0].n);

/** The signed-in caller a session cookie from an SSO sign-in stands for. */
async function callerWith(a: Agent) {
  const cookies = memoryCookies();
  cookies.set(SESSION, a.cookie(url, SESSION)!, {});
  return app.caller(cookies);
}

async function oidcWorkspace(settings: { jitProvisioning?: boolean; passwordSignIn?: 'everyone' | 'owners' } = {}) {
  const ws = await signUp(app);
  await ws.owner.sso.configure({ ...oidcSettings(idps.oidc.issuer, url, ws.input.slug), ...settings });
  return ws;
}

async function samlWorkspace(settings: { jitProvisioning?: boolean } = {}) {
  const ws = await signUp(app);
  await ws.owner.sso.configure({ protocol: 'saml', displayName: 'Local SAML', metadataXml: idps.saml.metadata, ...settings });
  const acsUrl = `${url}/sso/${ws.input.slug}/saml/acs`;
  const audience = `${url}/sso/${ws.input.slug}/saml/metadata`;
  return { ...ws, acsUrl, audience };
}

describe('sso.configure and sso.get (SPEC §4)', () => {
  it('keeps the client secret to itself, checks the issuer and the metadata, and audits without the secret', async () => {
    const ws = await signUp(app);
    const settings = await ws.owner.sso.configure({ ...oidcSettings(idps.oidc.issuer, url, ws.input.slug), jitProvisioning: true });
    expect(settings).toMatchObject({ protocol: 'oidc', displayName: 'Local OIDC', passwordSignIn: 'everyone', jitProvisioning: true, redirectUri: `${url}/sso/${ws.input.slug}/oidc/callback` });
    expect(JSON.stringify(await ws.owner.sso.get())).not.toContain('seatwise-local-test-secret');
    const audit = await app.database.owner('audit_events').where({ tenantId: ws.tenant.id, action: 'sso.configured' });
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain('seatwise-local-test-secret');

    const plainHttp = await refusal(ws.owner.sso.configure({ ...oidcSettings('http://idp.example.com', url, ws.input.slug) }));
    expect(plainHttp).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { issuer: [expect.stringContaining('https://')] } });
    const noCert = await refusal(ws.owner.sso.configure({ protocol: 'saml', displayName: 'X', metadataXml: idps.saml.metadata.replace(/<md:KeyDescriptor[\s\S]*<\/md:KeyDescriptor>/, '') }));
    expect(noCert).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('no signing certificate') });
    const noSso = await refusal(ws.owner.sso.configure({ protocol: 'saml', displayName: 'X', metadataXml: idps.saml.metadata.replace(/<md:SingleSignOnService[^>]*>/, '') }));
    expect(noSso.message).toContain('no single sign-on URL');
    expect((await refusal(ws.owner.sso.configure({ protocol: 'saml', displayName: 'X', metadataXml: 'not xml <' }))).code).toBe('BAD_REQUEST');
    // Nothing refused changed the connection.
    expect(await ws.owner.sso.get()).toMatchObject({ protocol: 'oidc', jitProvisioning: true });

    // A Member has no settings.manage; another workspace sees its own (none).
    await insertUser(app, ws.tenant.id, { email: `member@${ws.input.slug}.test` });
    const memberCookies = memoryCookies();
    await (await app.caller(memberCookies)).auth.login({ workspace: ws.input.slug, email: `member@${ws.input.slug}.test`, password: 'another good password' });
    expect((await refusal((await app.caller(memberCookies)).sso.get())).code).toBe('FORBIDDEN');
    expect((await refusal((await app.caller(memberCookies)).sso.disable())).code).toBe('FORBIDDEN');
    expect(await (await signUp(app)).owner.sso.get()).toBeNull();
  });

  it('only an Owner changes it; a secret never follows a new issuer; production issuers stay outside our network; SAML keeps its metadata', async () => {
    const ws = await signUp(app);
    await ws.owner.sso.configure(oidcSettings(idps.oidc.issuer, url, ws.input.slug));
    await insertUser(app, ws.tenant.id, { email: `admin@${ws.input.slug}.test`, roleKey: 'admin' });
    const adminCookies = memoryCookies();
    await (await app.caller(adminCookies)).auth.login({ workspace: ws.input.slug, email: `admin@${ws.input.slug}.test`, password: 'another good password' });
    const admin = await app.caller(adminCookies);
    // An Admin reads the settings but cannot point sign-in at an identity provider of their own.
    expect(await admin.sso.get()).toMatchObject({ protocol: 'oidc' });
    const owned = 'Only an Owner can change single sign-on: it decides how everyone signs in, Owners included.';
    expect(await refusal(admin.sso.configure({ protocol: 'saml', displayName: 'Mine', metadataXml: idps.saml.metadata }))).toMatchObject({ code: 'FORBIDDEN', message: owned });
    for (const call of [() => admin.sso.disable(), () => admin.sso.test()]) expect(await refusal(call())).toMatchObject({ code: 'FORBIDDEN', message: owned });
    expect(await ws.owner.sso.get()).toMatchObject({ protocol: 'oidc', enabled: true });

    // Same client id, another issuer, no secret typed: the stored secret is not sent there.
    const { clientSecret: _secret, ...withoutSecret } = oidcSettings(idps.oidc.issuer, url, ws.input.slug);
    const moved = await refusal(ws.owner.sso.configure({ ...withoutSecret, issuer: 'https://elsewhere.example.com' }));
    expect(moved).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { clientSecret: ['Enter the client secret the identity provider gave you'] } });
    expect(await ws.owner.sso.configure(withoutSecret)).toMatchObject({ hasClientSecret: true });

    for (const issuer of ['https://127.0.0.1:5432', 'https://10.0.0.5', 'https://169.254.169.254/latest', 'https://[::1]:8080', 'https://metadata.google.internal', 'https://db']) {
      expect(() => checkIssuer({ NODE_ENV: 'production' }, issuer), issuer).toThrow('not one inside this network');
    }
    expect(() => checkIssuer({ NODE_ENV: 'production' }, 'https://example.okta.com')).not.toThrow();

    // SAML saved again without pasting the metadata keeps it; with none stored, it is asked for.
    const saml = await signUp(app);
    expect(await refusal(saml.owner.sso.configure({ protocol: 'saml', displayName: 'IdP' }))).toMatchObject({ fieldErrors: { metadataXml: ["Paste the identity provider's metadata XML"] } });
    const first = await saml.owner.sso.configure({ protocol: 'saml', displayName: 'IdP', metadataXml: idps.saml.metadata });
    expect(await saml.owner.sso.configure({ protocol: 'saml', displayName: 'IdP', jitProvisioning: true })).toMatchObject({ idpEntityId: first.idpEntityId, jitProvisioning: true });
  });
});

describe('OpenID Connect sign-in against a real provider', () => {
  it('signs a person in with the same session as a password, links the sub, and records the method', async () => {
    const ws = await oidcWorkspace();
    const a = agent();
    const { response } = await oidcSignIn(a, url, ws.input.slug, { email: ws.input.email.toUpperCase() });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/dashboard');
    const me = await (await callerWith(a)).auth.me();
    expect(me.user.email).toBe(ws.input.email);
    expect(await app.database.owner('users').where({ id: ws.user.id }).first('oidcSubject')).toEqual({ oidcSubject: subjectFor(ws.input.email) });
    expect(await lastEvent(ws.tenant.id)).toMatchObject({ userId: ws.user.id, result: 'success', method: 'oidc' });

    // Where to go afterwards is kept only as a path on our own origin.
    const elsewhere = agent();
    const evil = await oidcSignIn(elsewhere, url, ws.input.slug, { email: ws.input.email }, { start: `${url}/sso/${ws.input.slug}/start?returnTo=${encodeURIComponent('https://evil.example/x')}` });
    expect(evil.response.headers.get('location')).toBe('/dashboard');
    const inside = agent();
    const users = await oidcSignIn(inside, url, ws.input.slug, { email: ws.input.email }, { start: `${url}/sso/${ws.input.slug}/start?returnTo=${encodeURIComponent('/users?q=a')}` });
    expect(users.response.headers.get('location')).toBe('/users?q=a');

    // Once linked, the sub finds the person even after the email changed at the provider.
    await app.database.owner('users').where({ id: ws.user.id }).update({ email: `renamed@${ws.input.slug}.test` });
    const again = agent();
    // The IdP's person keeps the old email; its sub is what matches now.
    expect((await oidcSignIn(again, url, ws.input.slug, { email: ws.input.email })).response.headers.get('location')).toBe('/dashboard');
    await app.database.owner('users').where({ id: ws.user.id }).update({ email: ws.input.email });
  });

  it('refuses an unknown or reused state, a nonce mismatch, and an email the provider has not verified', async () => {
    const ws = await oidcWorkspace();
    const a = agent();
    const { callback } = await oidcSignIn(a, url, ws.input.slug, { email: ws.input.email });
    // The callback was used once above: the same code and state again are refused.
    const replay = await agent().request(callback!);
    expect(replay.headers.get('location')).toBe(`/login?workspace=${ws.input.slug}`);
    const forged = agent();
    const unknown = await forged.request(`${url}/sso/${ws.input.slug}/oidc/callback?code=abc&state=made-up`);
    expect(unknown.status).toBe(303);
    expect(messageOf(forged)).toContain('was not started here');

    // The nonce stored with the request no longer matches the one in the ID token.
    const c = agent();
    const started = await c.request(`${url}/sso/${ws.input.slug}/start`);
    await app.database.owner('sso_requests').where({ tenantId: ws.tenant.id }).update({ nonce: 'another-nonce' });
    const idpUrl = c.location(started, url);
    const resumed = await oidcSignIn(c, url, ws.input.slug, { email: ws.input.email }, { start: idpUrl });
    expect(resumed.response.headers.get('location')).toBe(`/login?workspace=${ws.input.slug}`);
    expect(messageOf(c)).toContain('could not be verified');
    expect(c.cookie(url, SESSION)).toBeUndefined();

    const unverified = agent();
    await oidcSignIn(unverified, url, ws.input.slug, { email: ws.input.email.replace('ada@', 'eve@'), unverified: true });
    expect(unverified.cookie(url, SESSION)).toBeUndefined();
    const refusedRows = await app.database.owner('login_events').where({ tenantId: ws.tenant.id, method: 'oidc', result: 'sso_refused' });
    expect(refusedRows.length).toBeGreaterThanOrEqual(3);
  });
});

describe('matching, just-in-time provisioning and statuses', () => {
  it('JIT off: an unknown person is refused and nothing is created', async () => {
    const ws = await oidcWorkspace();
    const a = agent();
    const email = `new@${ws.input.slug}.test`;
    await oidcSignIn(a, url, ws.input.slug, { email });
    expect(messageOf(a)).toBe(noAccountMessage(email));
    expect(await app.database.owner('users').where({ tenantId: ws.tenant.id, email }).first()).toBeUndefined();
    expect(await lastEvent(ws.tenant.id)).toMatchObject({ result: 'unknown_user', method: 'oidc', email });
  });

  it('JIT on: creates the person active, standard, Read Only, through the seat rule; at the limit the seat message', async () => {
    const ws = await oidcWorkspace({ jitProvisioning: true });
    // Three standard seats are included; the Owner holds one. Three people arrive at once.
    const emails = ['one', 'two', 'three'].map((n) => `${n}@${ws.input.slug}.test`);
    const agents = emails.map(() => agent());
    await Promise.all(emails.map((email, i) => oidcSignIn(agents[i], url, ws.input.slug, { email, firstName: 'New', lastName: email.split('@')[0], groups: 'Engineering' })));
    const created = await app.database.owner('users').where('users.tenantId', ws.tenant.id).whereIn('email', emails).join('roles', 'roles.id', 'users.roleId').select('users.email', 'users.status', 'users.kind', 'roles.name as role');
    expect(created).toHaveLength(2);
    for (const user of created) expect(user).toMatchObject({ status: 'active', kind: 'standard', role: 'Read Only' });
    const refused = agents.filter((a) => !a.cookie(url, SESSION));
    expect(refused).toHaveLength(1);
    expect(messageOf(refused[0])).toBe('You have reached Purchased User limit as 3 User, You need to buy more users to create this user');
    expect(await app.database.owner('login_events').where({ tenantId: ws.tenant.id, result: 'seat_limit', method: 'oidc' })).toHaveLength(1);
    expect(await app.database.owner('audit_events').where({ tenantId: ws.tenant.id, action: 'user.created', actorLabel: 'single sign-on' })).toHaveLength(2);
  });

  it('JIT on: the role is that of the highest group mapped in Settings → Provisioning, matched by name in any case', async () => {
    const ws = await oidcWorkspace({ jitProvisioning: true });
    const roles = new Map((await app.database.owner('roles').where({ tenantId: ws.tenant.id }).select('key', 'id')).map((r) => [r.key, r.id]));
    const [managers, staff] = await app.database.owner('scim_groups').insert([
      { tenantId: ws.tenant.id, displayName: 'Managers' },
      { tenantId: ws.tenant.id, displayName: 'Staff' },
    ]).returning('id');
    await ws.owner.provisioning.mapGroup({ groupId: managers.id, roleId: roles.get('admin')!, priority: 1 });
    await ws.owner.provisioning.mapGroup({ groupId: staff.id, roleId: roles.get('member')!, priority: 2 });
    const roleOf = async (email: string) =>
      (await app.database.owner('users').join('roles', 'roles.id', 'users.roleId').where('users.tenantId', ws.tenant.id).where('users.email', email).first('roles.name as name')).name;
    await oidcSignIn(agent(), url, ws.input.slug, { email: `lead@${ws.input.slug}.test`, groups: 'staff,MANAGERS' });
    await oidcSignIn(agent(), url, ws.input.slug, { email: `dev@${ws.input.slug}.test`, groups: 'Staff,Unmapped' });
    expect([await roleOf(`lead@${ws.input.slug}.test`), await roleOf(`dev@${ws.input.slug}.test`)]).toEqual(['Admin', 'Member']);
  });

  it('JIT on: the same new person signing in several times at once is created once and signed in every time', async () => {
    const ws = await oidcWorkspace({ jitProvisioning: true });
    const email = `twice@${ws.input.slug}.test`;
    const agents = Array.from({ length: 4 }, () => agent());
    await Promise.all(agents.map((a) => oidcSignIn(a, url, ws.input.slug, { email })));
    expect(agents.map((a) => messageOf(a))).toEqual(['', '', '', '']);
    expect(agents.every((a) => a.cookie(url, SESSION))).toBe(true);
    const created = await app.database.owner('users').where({ tenantId: ws.tenant.id, email });
    expect(created).toHaveLength(1);
    expect(await app.database.owner('seat_holding_changes').where({ tenantId: ws.tenant.id, userId: created[0].id })).toHaveLength(1);
    expect(await app.database.owner('login_events').where({ tenantId: ws.tenant.id, userId: created[0].id, result: 'success', method: 'oidc' })).toHaveLength(4);
  });

  it('a suspended person gets the status message; the Owners-only policy sends others to SSO and keeps Owners on passwords', async () => {
    const ws = await oidcWorkspace({ passwordSignIn: 'owners' });
    const suspended = await insertUser(app, ws.tenant.id, { email: `sus@${ws.input.slug}.test`, status: 'suspended' });
    const a = agent();
    await oidcSignIn(a, url, ws.input.slug, { email: suspended.email });
    expect(messageOf(a)).toBe(notActiveMessage('suspended'));
    expect(await sessionsOf(suspended.id)).toBe(0);
    expect(await lastEvent(ws.tenant.id)).toMatchObject({ userId: suspended.id, result: 'not_active', method: 'oidc' });

    const member = await insertUser(app, ws.tenant.id, { email: `member@${ws.input.slug}.test` });
    const byPassword = await refusal((await app.caller()).auth.login({ workspace: ws.input.slug, email: member.email, password: 'another good password' }));
    expect(byPassword).toMatchObject({ code: 'FORBIDDEN', message: 'Your workspace signs in through Local OIDC. Use "Continue with Local OIDC" instead of a password.' });
    expect(await lastEvent(ws.tenant.id)).toMatchObject({ userId: member.id, result: 'password_not_allowed', method: 'password' });
    expect(await sessionsOf(member.id)).toBe(0);
    // Wrong guesses get the same answer and never lock out someone who signs in through the IdP.
    for (let i = 0; i < 11; i++) {
      const guess = await refusal((await app.caller()).auth.login({ workspace: ws.input.slug, email: member.email, password: `wrong guess number ${i}` }));
      expect(guess.message).toBe(byPassword.message);
    }
    expect(await app.database.owner('users').where({ id: member.id }).first('status', 'failedSignInCount')).toEqual({ status: 'active', failedSignInCount: 0 });
    const owner = await (await app.caller()).auth.login({ workspace: ws.input.slug, email: ws.input.email, password: ws.input.password });
    expect(owner.user.id).toBe(ws.user.id);
    // The same member gets in through the identity provider.
    const viaSso = agent();
    await oidcSignIn(viaSso, url, ws.input.slug, { email: member.email });
    expect(viaSso.cookie(url, SESSION)).toBeDefined();
    // The same sessions as a password's: a status change ends it at once.
    const asMember = await callerWith(viaSso);
    expect((await asMember.auth.me()).user.id).toBe(member.id);
    await ws.owner.users.setStatus({ id: member.id, status: 'suspended' });
    expect((await refusal(asMember.auth.me())).code).toBe('UNAUTHORIZED');
    await ws.owner.users.setStatus({ id: member.id, status: 'active' });

    // Disabled: SSO is refused, passwords are open to everyone again.
    await ws.owner.sso.disable();
    const after = agent();
    const start = await after.request(`${url}/sso/${ws.input.slug}/start`);
    expect(start.headers.get('location')).toBe(`/login?workspace=${ws.input.slug}`);
    expect(messageOf(after)).toBe('Single sign-on is not set up for this workspace.');
    await (await app.caller()).auth.login({ workspace: ws.input.slug, email: member.email, password: 'another good password' });
  });
});

describe('SAML 2.0 against a real identity provider', () => {
  let ws: Awaited<ReturnType<typeof samlWorkspace>>;
  beforeAll(async () => {
    ws = await samlWorkspace();
  });
  const person = () => ({ email: ws.input.email });
  const idpInitiated = (o: Partial<Parameters<typeof buildSamlResponse>[0]> = {}) =>
    idps.saml.response({ acsUrl: ws.acsUrl, audience: ws.audience, user: person(), ...o });
  const post = (a: Agent, xml: string, relayState?: string) =>
    postAcs(a, url, ws.input.slug, { SAMLResponse: Buffer.from(xml).toString('base64'), ...(relayState ? { RelayState: relayState } : {}) });
  const refusedWith = async (xml: string, message: RegExp | string) => {
    const a = agent();
    const response = await post(a, xml);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/login?workspace=${ws.input.slug}`);
    expect(a.cookie(url, SESSION)).toBeUndefined();
    expect(messageOf(a)).toMatch(message);
    expect(await lastEvent(ws.tenant.id)).toMatchObject({ result: 'sso_refused', method: 'saml', email: NOT_NAMED, userId: null });
  };

  it('SP-initiated: the AuthnRequest, the IdP login and the signed response sign the person in; SP metadata is served', async () => {
    const a = agent();
    const { samlResponse, relayState } = await samlAnswer(a, url, ws.input.slug, person(), { start: `${url}/sso/${ws.input.slug}/start?returnTo=/users` });
    const response = await postAcs(a, url, ws.input.slug, { SAMLResponse: samlResponse, RelayState: relayState ?? '' });
    expect(response.headers.get('location')).toBe('/users');
    expect((await (await callerWith(a)).auth.me()).user.email).toBe(ws.input.email);
    expect(await lastEvent(ws.tenant.id)).toMatchObject({ userId: ws.user.id, result: 'success', method: 'saml' });
    expect(await app.database.owner('users').where({ id: ws.user.id }).first('samlNameId')).toEqual({ samlNameId: ws.input.email });

    // The IdP's POST is cross-site by design: with a session cookie it is still answered (and only
    // the ACS is exempt from the cross-site check).
    const crossSite = { 'sec-fetch-site': 'cross-site', origin: idps.saml.url, cookie: `${SESSION}=${a.cookie(url, SESSION)}`, 'content-type': 'application/x-www-form-urlencoded' };
    const fromIdp = await fetch(`${url}/sso/${ws.input.slug}/saml/acs`, { method: 'POST', redirect: 'manual', headers: crossSite, body: new URLSearchParams({ SAMLResponse: Buffer.from(idpInitiated()).toString('base64') }).toString() });
    expect(fromIdp.status).toBe(303);
    expect(fromIdp.headers.get('location')).toBe('/dashboard');
    expect((await fetch(`${url}/trpc/auth.logout`, { method: 'POST', headers: { ...crossSite, 'content-type': 'application/json' }, body: '{}' })).status).toBe(403);

    const metadata = await fetch(`${url}/sso/${ws.input.slug}/saml/metadata`);
    expect(metadata.headers.get('content-type')).toContain('application/samlmetadata+xml');
    const xml = await metadata.text();
    expect(xml).toContain(`entityID="${ws.audience}"`);
    expect(xml).toContain(`Location="${ws.acsUrl}"`);
    expect((await fetch(`${url}/sso/no-such-workspace/saml/metadata`)).status).toBe(404);
  });

  it('IdP-initiated: accepted, and its RelayState is followed only as a path on our origin', async () => {
    for (const [relay, expected] of [
      ['/users?status=active', '/users?status=active'],
      ['https://evil.example/phish', '/dashboard'],
      ['//evil.example/phish', '/dashboard'],
      ['/\\evil.example', '/dashboard'],
      ['javascript:alert(1)', '/dashboard'],
    ]) {
      const a = agent();
      const response = await post(a, idpInitiated(), relay);
      expect(response.headers.get('location'), relay).toBe(expected);
      expect(a.cookie(url, SESSION)).toBeDefined();
    }
    // returnTo on the start address is held to the same rule.
    const a = agent();
    const { samlResponse, relayState } = await samlAnswer(a, url, ws.input.slug, person(), { start: `${url}/sso/${ws.input.slug}/start?returnTo=https://evil.example` });
    expect((await postAcs(a, url, ws.input.slug, { SAMLResponse: samlResponse, RelayState: relayState ?? '' })).headers.get('location')).toBe('/dashboard');
  });

  it('a transient NameID (new at every sign-in) matches by email and is never linked', async () => {
    const transient = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';
    const before = await app.database.owner('users').where({ id: ws.user.id }).first('samlNameId');
    for (const nameId of ['_t1', '_t2']) {
      const a = agent();
      await post(a, idpInitiated({ user: { email: ws.input.email, nameId }, nameIdFormat: transient }));
      expect(a.cookie(url, SESSION), nameId).toBeDefined();
    }
    expect(await app.database.owner('users').where({ id: ws.user.id }).first('samlNameId')).toEqual(before);
  });

  it('refuses unsigned, forged (another key) and altered responses', async () => {
    await refusedWith(idpInitiated({ sign: 'none' }), /not signed with its certificate/);
    const stranger = await generateSigningKey('Mallory');
    await refusedWith(idpInitiated({ key: stranger }), /not signed with its certificate/);
    await refusedWith(idpInitiated({ key: stranger, sign: 'both' }), /not signed with its certificate/);
    // Signed by the IdP for Ada, then the email and NameID changed to someone else's.
    const victim = await insertUser(app, ws.tenant.id, { email: `boss@${ws.input.slug}.test` });
    const altered = idpInitiated({ user: { email: 'nobody@elsewhere.test' } }).replaceAll('nobody@elsewhere.test', victim.email);
    await refusedWith(altered, /not signed with its certificate/);
    // A signed response wrapping an unsigned assertion (signature wrapping) is refused as well.
    const signedResponse = idpInitiated({ sign: 'response' }).replace(ws.input.email, victim.email);
    await refusedWith(signedResponse, /not signed with its certificate/);
    expect(await sessionsOf(victim.id)).toBe(0);
    // The response signed as a whole (not the assertion) is accepted.
    const a = agent();
    await post(a, idpInitiated({ sign: 'response' }));
    expect(a.cookie(url, SESSION)).toBeDefined();
  });

  it('refuses the wrong audience, recipient or destination', async () => {
    await refusedWith(idpInitiated({ audience: 'https://other.example/sp' }), /wrong audience/);
    await refusedWith(idpInitiated({ recipient: 'https://other.example/acs' }), /wrong Recipient/);
    await refusedWith(idpInitiated({ destination: 'https://other.example/acs' }), /wrong Destination/);
    // Another workspace's ACS (same IdP, same person) is another audience.
    const other = await samlWorkspace();
    await refusedWith(idps.saml.response({ acsUrl: other.acsUrl, audience: other.audience, user: person() }), /wrong audience|wrong Recipient|wrong Destination/);
  });

  it('refuses expired and not-yet-valid assertions beyond 3 minutes of skew, and accepts them within it', async () => {
    const now = Date.now();
    await refusedWith(idpInitiated({ notBefore: new Date(now + 4 * 60_000), notOnOrAfter: new Date(now + 10 * 60_000) }), /not valid yet/);
    await refusedWith(idpInitiated({ notBefore: new Date(now - 10 * 60_000), notOnOrAfter: new Date(now - 4 * 60_000) }), /expired/);
    for (const o of [{ notBefore: new Date(now + 2 * 60_000) }, { notBefore: new Date(now - 10 * 60_000), notOnOrAfter: new Date(now - 2 * 60_000) }]) {
      const a = agent();
      await post(a, idpInitiated(o));
      expect(a.cookie(url, SESSION)).toBeDefined();
    }
  });

  it('refuses a replayed assertion, even when both copies arrive at once', async () => {
    const xml = idpInitiated();
    const first = agent();
    await post(first, xml);
    expect(first.cookie(url, SESSION)).toBeDefined();
    await refusedWith(xml, /already used/);
    const racing = idpInitiated();
    const agents = Array.from({ length: 6 }, () => agent());
    await Promise.all(agents.map((a) => post(a, racing)));
    expect(agents.filter((a) => a.cookie(url, SESSION))).toHaveLength(1);
  });

  it('refuses an unsolicited response that claims to answer a request we never sent, and one used twice', async () => {
    await refusedWith(idpInitiated({ inResponseTo: '_never-sent-by-us' }), /does not answer a sign-in started here/);
    const a = agent();
    const { samlResponse } = await samlAnswer(a, url, ws.input.slug, person());
    const decoded = Buffer.from(samlResponse, 'base64').toString('utf8');
    const requestId = /InResponseTo="([^"]+)"/.exec(decoded)![1];
    await postAcs(a, url, ws.input.slug, { SAMLResponse: samlResponse });
    expect(a.cookie(url, SESSION)).toBeDefined();
    // A new assertion for the same, already answered, request.
    await refusedWith(idpInitiated({ inResponseTo: requestId }), /does not answer a sign-in started here/);
  });

  it('Test connection reports what came back and opens no session', async () => {
    const { url: idpUrl } = await ws.owner.sso.test();
    const a = agent();
    const { samlResponse } = await samlAnswer(a, url, ws.input.slug, { email: ws.input.email, groups: 'Admins' }, { start: idpUrl });
    const response = await postAcs(a, url, ws.input.slug, { SAMLResponse: samlResponse });
    expect(response.headers.get('location')).toBe('/settings/sso?tested=1');
    expect(a.cookie(url, SESSION)).toBeUndefined();
    const { lastTest } = (await ws.owner.sso.get())!;
    expect(lastTest).toMatchObject({ ok: true, received: { nameID: ws.input.email, attributes: { email: ws.input.email, groups: 'Admins' } } });
  });
});

describe('garbage at the SSO endpoints', () => {
  it('never gets a 5xx', async () => {
    const ws = await samlWorkspace();
    const a = agent();
    const bodies = ['', 'SAMLResponse=', 'SAMLResponse=%%%', `SAMLResponse=${Buffer.from('<x/>').toString('base64')}`, `SAMLResponse=${'A'.repeat(5000)}`, 'SAMLResponse[]=1&SAMLResponse[]=2', `SAMLResponse=${Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&a;</samlp:Response>').toString('base64')}`];
    const responses = await Promise.all([
      ...bodies.map((body) => a.request(`${url}/sso/${ws.input.slug}/saml/acs`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })),
      a.request(`${url}/sso/${ws.input.slug}/saml/acs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"SAMLResponse": 1}' }),
      a.request(`${url}/sso/nope/saml/acs`, { method: 'POST', body: 'SAMLResponse=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      a.request(`${url}/sso/${ws.input.slug}/oidc/callback?state=${'x'.repeat(5000)}&code=1`),
      a.request(`${url}/sso/${ws.input.slug}/oidc/callback?state[]=1`),
      a.request(`${url}/sso/${ws.input.slug}/oidc/callback?error=access_denied`),
      a.request(`${url}/sso/%E0%A4%A/start`),
      a.request(`${url}/sso/${'x'.repeat(300)}/start`),
    ]);
    for (const r of responses) expect(r.status, r.url).toBeLessThan(500);
  });
});

/** A hostile OpenID provider: its token endpoint hands out whatever ID token the test builds. */
async function forgingIdp() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' };
  let idToken: (nonce: string) => string = () => '';
  let nonce = '';
  const web = express();
  const server = web.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  web.get('/.well-known/openid-configuration', (_req, res) =>
    void res.json({ issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`, response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256', 'HS256', 'none'] }),
  );
  web.get('/jwks', (_req, res) => void res.json({ keys: [jwk] }));
  web.get('/authorize', (req, res) => {
    nonce = String(req.query.nonce);
    res.redirect(`${String(req.query.redirect_uri)}?code=c0de&state=${String(req.query.state)}&iss=${encodeURIComponent(issuer)}`);
  });
  web.post('/token', (_req, res) => void res.json({ access_token: 'at', token_type: 'Bearer', expires_in: 60, id_token: idToken(nonce) }));
  onCleanup(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  const b64u = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const jwt = (claims: Record<string, unknown>, alg: 'RS256' | 'HS256' | 'none', secret = '') => {
    const input = `${b64u({ alg, typ: 'JWT', ...(alg === 'RS256' ? { kid: 'k1' } : {}) })}.${b64u(claims)}`;
    const signature = alg === 'none' ? '' : alg === 'HS256' ? createHmac('sha256', secret).update(input).digest('base64url') : rsaSign('sha256', Buffer.from(input), privateKey).toString('base64url');
    return `${input}.${signature}`;
  };
  return { issuer, jwt, serve: (f: (nonce: string) => string) => void (idToken = f) };
}

describe('single sign-on security regressions', () => {
  it('OIDC: a callback started by someone else is refused in this browser (login CSRF); the state cookie is scoped and used once', async () => {
    const ws = await oidcWorkspace();
    const mallory = await insertUser(app, ws.tenant.id, { email: `mallory@${ws.input.slug}.test` });
    // Mallory signs in at the provider and keeps the callback URL instead of opening it.
    const attacker = agent();
    const start = await attacker.request(`${url}/sso/${ws.input.slug}/start`);
    const stateCookie = start.headers.getSetCookie().find((c) => c.startsWith('seatwise_sso_state='))!;
    expect(stateCookie).toMatch(/HttpOnly/i);
    expect(stateCookie).toMatch(/SameSite=Lax/i);
    expect(stateCookie).toContain(`Path=/sso/${ws.input.slug}/oidc/callback`);
    const planted = await oidcCallback(attacker, url, ws.input.slug, { email: mallory.email }, { start: attacker.location(start, url) });
    // The victim, signed in as the Owner, opens it.
    const victim = agent();
    await oidcSignIn(victim, url, ws.input.slug, { email: ws.input.email });
    const victimSession = victim.cookie(url, SESSION);
    expect(victim.cookie(url, 'seatwise_sso_state')).toBeUndefined();
    const opened = await victim.request(planted as string);
    expect(opened.headers.get('location')).toBe(`/login?workspace=${ws.input.slug}`);
    expect(messageOf(victim)).toBe(NOT_THIS_BROWSER);
    expect(victim.cookie(url, SESSION)).toBe(victimSession);
    expect(await sessionsOf(mallory.id)).toBe(0);
    expect(await lastEvent(ws.tenant.id)).toMatchObject({ userId: null, result: 'sso_refused', method: 'oidc', message: NOT_THIS_BROWSER });
    // A browser with a sign-in of its own pending is refused another's too.
    const another = await oidcCallback(agent(), url, ws.input.slug, { email: mallory.email });
    const pending = agent();
    await pending.request(`${url}/sso/${ws.input.slug}/start`);
    expect(pending.cookie(url, 'seatwise_sso_state')).toBeDefined();
    await pending.request(another as string);
    expect(messageOf(pending)).toBe(NOT_THIS_BROWSER);
    expect(pending.cookie(url, 'seatwise_sso_state')).toBeUndefined();
    expect(await sessionsOf(mallory.id)).toBe(0);
  });

  it("OIDC: the provider's error text never reaches our sign-in page", async () => {
    const ws = await oidcWorkspace();
    const callbackWith = async (error: string) => {
      const a = agent();
      const state = new URL(a.location(await a.request(`${url}/sso/${ws.input.slug}/start`), url)).searchParams.get('state')!;
      await a.request(`${url}/sso/${ws.input.slug}/oidc/callback?state=${state}&error=${error}&error_description=${encodeURIComponent('Call IT at +1 555 0100 now')}`);
      return messageOf(a);
    };
    const [denied, other] = await Promise.all([callbackWith('access_denied'), callbackWith('Call+IT+at+%2B1+555')]);
    expect(denied).toBe('The sign-in was cancelled or refused at your identity provider. Start again, or ask your administrator for access.');
    expect(other).toBe('Your identity provider did not sign you in. Start again, or ask your administrator to check the single sign-on connection.');
    const rows = await app.database.owner('login_events').where({ tenantId: ws.tenant.id, result: 'sso_refused' }).pluck('message');
    expect(rows).toHaveLength(2);
    expect(rows.join(' ')).not.toContain('555');
  });

  it('OIDC: ID tokens are checked against the JWKS: alg none and HS256 with the client secret are refused', async () => {
    const forger = await forgingIdp();
    const ws = await signUp(app);
    const secret = 'hs256-shared-client-secret-which-is-long-enough';
    await ws.owner.sso.configure({ protocol: 'oidc', displayName: 'Forger', issuer: forger.issuer, clientId: 'cid', clientSecret: secret });
    const now = Math.floor(Date.now() / 1000);
    const claims = (nonce: string) => ({ iss: forger.issuer, aud: 'cid', sub: 'forged-sub', iat: now, exp: now + 300, nonce, email: ws.input.email, email_verified: true });
    const signInWith = async (token: (nonce: string) => string) => {
      forger.serve(token);
      const a = agent();
      const authorize = a.location(await a.request(`${url}/sso/${ws.input.slug}/start`), url);
      await a.request(a.location(await a.request(authorize), authorize));
      return { session: a.cookie(url, SESSION), message: messageOf(a) };
    };
    for (const token of [(n: string) => forger.jwt(claims(n), 'none'), (n: string) => forger.jwt(claims(n), 'HS256', secret)]) {
      expect(await signInWith(token)).toEqual({ session: undefined, message: 'The identity provider’s answer could not be verified. Start again.' });
    }
    expect(await sessionsOf(ws.user.id)).toBe(1); // the Owner's own, from signing up
    // The same flow with a token signed by the provider's published key gets in.
    expect((await signInWith((n) => forger.jwt(claims(n), 'RS256'))).session).toBeDefined();
  });

  it('Owners-only password sign-in: a reset or an accepted invitation sets the password but opens no session for a non-Owner', async () => {
    const ws = await oidcWorkspace({ passwordSignIn: 'owners' });
    const expected = `Your workspace signs in through Local OIDC. Use "Continue with Local OIDC" instead of a password.`;
    const member = await insertUser(app, ws.tenant.id, { email: `member@${ws.input.slug}.test`, status: 'locked' });
    const tokenFor = (userId: string, purpose: 'password_reset' | 'invitation') => withTenant(app.database.owner, ws.tenant.id, (trx) => issueOneTimeToken({ trx, tenantId: ws.tenant.id, userId, purpose, now: new Date() }));
    const before = await app.database.owner('users').where({ id: member.id }).first('passwordHash');
    const cookies = memoryCookies();
    const reset = await refusal((await app.caller(cookies)).auth.resetPassword({ token: await tokenFor(member.id, 'password_reset'), password: 'a brand new password 1' }));
    expect(reset).toMatchObject({ code: 'FORBIDDEN', message: `Your new password is saved. ${expected}`, data: { reason: 'SSO_REQUIRED', workspace: ws.input.slug } });
    expect(cookies.values.get(SESSION)).toBeUndefined();
    expect(await sessionsOf(member.id)).toBe(0);
    // Saved, and the reset unlocked the account as always.
    const after = await app.database.owner('users').where({ id: member.id }).first('passwordHash', 'status');
    expect(after?.passwordHash).not.toBe(before?.passwordHash);
    expect(after?.status).toBe('active');
    expect(await lastEvent(ws.tenant.id)).toMatchObject({ userId: member.id, result: 'password_not_allowed', method: 'password' });

    const invited = await ws.owner.users.create({ kind: 'standard', email: `invitee@${ws.input.slug}.test`, firstName: 'In', lastName: 'Vitee' });
    const c2 = memoryCookies();
    const accepted = await refusal((await app.caller(c2)).auth.acceptInvite({ token: await tokenFor(invited.id, 'invitation'), password: 'an invited password 1' }));
    expect(accepted).toMatchObject({ code: 'FORBIDDEN', message: `Your invitation is accepted. ${expected}`, data: { reason: 'SSO_REQUIRED', workspace: ws.input.slug } });
    expect(c2.values.get(SESSION)).toBeUndefined();
    expect(await app.database.owner('users').where({ id: invited.id }).first('status')).toEqual({ status: 'active' });
    expect(await sessionsOf(invited.id)).toBe(0);
    expect(await lastEvent(ws.tenant.id)).toMatchObject({ userId: invited.id, result: 'password_not_allowed' });

    // An Owner still gets in by a reset (break-glass).
    const c3 = memoryCookies();
    await (await app.caller(c3)).auth.resetPassword({ token: await tokenFor(ws.user.id, 'password_reset'), password: 'the owner new password 1' });
    expect(c3.values.get(SESSION)).toBeDefined();
  });

  it('JIT: never from an email the provider has not verified, new or already taken', async () => {
    const ws = await oidcWorkspace({ jitProvisioning: true });
    const member = await insertUser(app, ws.tenant.id, { email: `member@${ws.input.slug}.test` });
    const fresh = `newhire@${ws.input.slug}.test`;
    for (const email of [fresh, member.email.toUpperCase()]) {
      const a = agent();
      const { response } = await oidcSignIn(a, url, ws.input.slug, { email, unverified: true });
      expect(response.headers.get('location')).toBe(`/login?workspace=${ws.input.slug}`);
      expect(messageOf(a)).toBe(unverifiedEmailMessage(email));
      expect(a.cookie(url, SESSION)).toBeUndefined();
      expect(await lastEvent(ws.tenant.id)).toMatchObject({ userId: null, result: 'sso_refused', method: 'oidc', message: unverifiedEmailMessage(email) });
    }
    expect(await app.database.owner('users').where({ tenantId: ws.tenant.id }).whereRaw('lower(email) = ?', [fresh]).first()).toBeUndefined();
    expect(await sessionsOf(member.id)).toBe(0);
  });

  it('JIT: an email taken by another account while the person is being created is refused cleanly', async () => {
    const ws = await oidcWorkspace({ jitProvisioning: true });
    const other = await insertUser(app, ws.tenant.id, { email: `other@${ws.input.slug}.test` });
    const email = `arriving@${ws.input.slug}.test`;
    // An admin renames another account (linked to another identity) to this email, not yet committed:
    // JIT finds nobody, and its insert waits on the unique email, then fails (23505).
    const held = await app.database.owner.transaction();
    await held('users').where({ id: other.id }).update({ email, oidcSubject: 'another-identity' });
    const a = agent();
    const signingIn = oidcSignIn(a, url, ws.input.slug, { email });
    // Other test files share the server: only this database's insert into users counts.
    const waiting = `select count(*) as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
                     where not l.granted and a.datname = current_database() and a.query like 'insert into "users"%'`;
    await waitFor('the JIT insert to wait on the email', async () => Number((await app.database.owner.raw(waiting)).rows[0].n) > 0);
    await held.commit();
    const { response } = await signingIn;
    expect(response.headers.get('location')).toBe(`/login?workspace=${ws.input.slug}`);
    expect(messageOf(a)).toBe(emailTakenMessage(email));
    expect(a.cookie(url, SESSION)).toBeUndefined();
    expect(await lastEvent(ws.tenant.id)).toMatchObject({ result: 'sso_refused', method: 'oidc', message: emailTakenMessage(email) });
    expect(await app.database.owner('users').where({ tenantId: ws.tenant.id }).whereRaw('lower(email) = ?', [email]).pluck('id')).toEqual([other.id]);
  });
});
