import { DOMParser } from '@xmldom/xmldom';
import { generateServiceProviderMetadata, SAML, ValidateInResponseTo, type CacheProvider, type Profile } from '@node-saml/node-saml';
import { withTenant, type Db } from '../../../db/index';
import type { SsoRequestRow } from '../../../db/tables';
import type { Env } from '../../shared/env';
import type { SamlConfig } from './connection';
import { forgetExpired, newRequestId, readConnection, REQUEST_TTL_MS, SsoRefusal, takeRequest, type Purpose } from './flow';
import { pemCertificate } from './saml-metadata';
import type { SsoIdentity } from './sign-in';
import { sameOriginPath, ssoUrls } from './urls';

/** SPEC "Single sign-on": expired or not-yet-valid assertions are refused, with 3 minutes of clock skew. */
export const CLOCK_SKEW_MS = 3 * 60_000;

/**
 * node-saml's InResponseTo cache, in PostgreSQL instead of one process's memory: the request an
 * answer claims to respond to must have been started here, by any web instance, and is used once.
 * The row also carries what we need on return (test or sign-in, where to go afterwards).
 */
class RequestCache implements CacheProvider {
  /** The request the validated answer responded to, once node-saml has consumed it. */
  taken: SsoRequestRow | null = null;
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
    private readonly now: Date,
    private readonly starting?: { purpose: Purpose; returnTo: string | null },
  ) {}

  async saveAsync(key: string, value: string) {
    const { purpose, returnTo } = this.starting ?? { purpose: 'sign_in' as const, returnTo: null };
    await withTenant(this.db, this.tenantId, async (trx) => {
      await forgetExpired(trx, this.now);
      await trx('sso_requests').insert({ id: key, tenantId: this.tenantId, protocol: 'saml', purpose, returnTo, createdAt: this.now, expiresAt: new Date(this.now.getTime() + REQUEST_TTL_MS) });
    });
    return { value, createdAt: this.now.getTime() };
  }

  async getAsync(key: string) {
    if (key.length > 200) return null;
    const row = await withTenant(this.db, this.tenantId, (trx) =>
      trx('sso_requests').where({ id: key, protocol: 'saml' }).where('expiresAt', '>', this.now).first('createdAt'),
    );
    return row ? row.createdAt.toISOString() : null;
  }

  async removeAsync(key: string | null) {
    if (!key || key.length > 200) return null;
    const row = await withTenant(this.db, this.tenantId, (trx) => takeRequest(trx, { id: key, protocol: 'saml', now: this.now }));
    if (row) this.taken = row;
    return row ? key : null;
  }
}

function samlFor(env: Env, slug: string, idp: SamlConfig, cache: CacheProvider) {
  const urls = ssoUrls(env, slug);
  return new SAML({
    callbackUrl: urls.acsUrl,
    entryPoint: idp.ssoUrl,
    issuer: urls.entityId,
    audience: urls.entityId,
    idpIssuer: idp.entityId,
    idpCert: idp.certs.map(pemCertificate),
    // Neither alone is required, but node-saml then insists on a valid signature over the assertion
    // whenever the response itself carries none: at least one of the two is always signed.
    wantAuthnResponseSigned: false,
    wantAssertionsSigned: false,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    validateInResponseTo: ValidateInResponseTo.ifPresent,
    requestIdExpirationPeriodMs: REQUEST_TTL_MS,
    cacheProvider: cache,
    generateUniqueId: newRequestId,
    identifierFormat: null,
    // Entra ID refuses sign-ins by other means than a password (MFA, passkeys) when asked for
    // PasswordProtectedTransport, node-saml's default requested context.
    disableRequestedAuthnContext: true,
  });
}

export function spMetadata(env: Env, slug: string) {
  const urls = ssoUrls(env, slug);
  return generateServiceProviderMetadata({ issuer: urls.entityId, callbackUrl: urls.acsUrl, wantAssertionsSigned: true, identifierFormat: null });
}

/** SP-initiated: an AuthnRequest over HTTP-Redirect, its id remembered for the answer. */
export async function startSaml({ db, env, tenantId, slug, purpose, returnTo, now }: { db: Db; env: Env; tenantId: string; slug: string; purpose: Purpose; returnTo: string | null; now: Date }) {
  const connection = await readConnection(db, tenantId);
  if (connection.protocol !== 'saml') throw new Error('not a SAML connection');
  const saml = samlFor(env, slug, connection.config, new RequestCache(db, tenantId, now, { purpose, returnTo }));
  return saml.getAuthorizeUrlAsync(returnTo ?? '', undefined, {});
}

// node-saml's reasons, in words a person signing in (or their admin) can act on.
const REASONS: [RegExp, string][] = [
  [/signature/i, 'The identity provider’s response is not signed with its certificate.'],
  [/InResponseTo/i, 'This response does not answer a sign-in started here, or it was already used. Start again.'],
  [/expired|not yet valid/i, 'The sign-in response has expired or is not valid yet. Start again; if it keeps happening, check the clocks of the identity provider.'],
  [/audience/i, 'The response is meant for another service (wrong audience). Check the entity id set at the identity provider.'],
  [/issuer/i, 'The response comes from another identity provider than the one configured.'],
  [/status|Responder|Requester/i, 'The identity provider did not sign you in.'],
];

const refusalFor = (error: unknown, purpose: Purpose) => {
  const detail = (error as Error)?.message ?? String(error);
  const message = REASONS.find(([re]) => re.test(detail))?.[1] ?? 'The identity provider’s response could not be accepted.';
  return new SsoRefusal(message, purpose, detail);
};

type XmlJs = Record<string, unknown> & { $?: Record<string, string>; _?: string };
const first = (node: unknown, name: string) => (node as Record<string, XmlJs[] | undefined> | undefined)?.[name]?.[0];

/**
 * The POSTed answer. node-saml verifies the signature (of the response or of the assertion) against
 * the pasted certificates, issuer, audience, validity window and InResponseTo. What it leaves to
 * us: Recipient and Destination must be our ACS URL, and an assertion id is accepted only once.
 */
export async function finishSaml({ db, env, tenantId, slug, body, now }: { db: Db; env: Env; tenantId: string; slug: string; body: Record<string, unknown>; now: Date }) {
  const samlResponse = body.SAMLResponse;
  if (typeof samlResponse !== 'string' || !samlResponse || samlResponse.length > 700_000) throw new SsoRefusal('This is not a SAML response.', 'sign_in', 'no SAMLResponse');
  const connection = await readConnection(db, tenantId);
  if (connection.protocol !== 'saml') throw new SsoRefusal('This workspace does not use SAML.', 'sign_in');
  const cache = new RequestCache(db, tenantId, now);
  const saml = samlFor(env, slug, connection.config, cache);
  let profile: Profile | null;
  try {
    ({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse }));
  } catch (error) {
    throw refusalFor(error, cache.taken?.purpose ?? 'sign_in');
  }
  const purpose = cache.taken?.purpose ?? 'sign_in';
  const acsUrl = ssoUrls(env, slug).acsUrl;
  if (!profile?.nameID) throw new SsoRefusal('The response names nobody (no NameID).', purpose);

  // Destination sits on the Response; when present it must be us (SAML core 3.2.2).
  const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
  const destination = new DOMParser({ errorHandler: { warning: () => {}, error: () => {}, fatalError: () => {} } }).parseFromString(xml, 'text/xml')?.documentElement?.getAttribute('Destination');
  if (destination && destination !== acsUrl) throw new SsoRefusal('The response was sent to another address (wrong Destination).', purpose, `Destination ${destination}`);

  // Read from the signed assertion node-saml verified, never from the raw document.
  const assertion = (profile.getAssertion?.() as { Assertion?: XmlJs } | undefined)?.Assertion;
  const assertionId = assertion?.$?.ID;
  const confirmation = first(first(assertion, 'Subject'), 'SubjectConfirmation');
  const data = first(confirmation, 'SubjectConfirmationData');
  const recipient = data?.$?.Recipient;
  if (recipient !== acsUrl) throw new SsoRefusal('The response was meant for another address (wrong Recipient).', purpose, `Recipient ${recipient}`);
  if (!assertionId) throw new SsoRefusal('The assertion has no id.', purpose);
  const notOnOrAfter = Date.parse(first(assertion, 'Conditions')?.$?.NotOnOrAfter ?? data?.$?.NotOnOrAfter ?? '');
  const keepUntil = new Date((Number.isNaN(notOnOrAfter) ? now.getTime() + 3600_000 : notOnOrAfter) + CLOCK_SKEW_MS);
  const fresh = await withTenant(db, tenantId, (trx) =>
    trx('sso_assertions').insert({ tenantId, assertionId: assertionId.slice(0, 300), expiresAt: keepUntil }).onConflict(['tenantId', 'assertionId']).ignore().returning('assertionId'),
  );
  if (!fresh.length) throw new SsoRefusal('This sign-in response was already used. Start again.', purpose, `replayed assertion ${assertionId}`);

  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const pick = (...names: string[]) => {
    for (const name of names) {
      const value = attributes[name] ?? profile![name];
      const text = Array.isArray(value) ? value[0] : value;
      if (typeof text === 'string' && text.trim()) return text.trim().slice(0, 254);
    }
    return null;
  };
  const groupsValue = ['groups', 'memberOf', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups'].map((n) => attributes[n]).find(Boolean);
  const nameIdIsEmail = /emailAddress$/.test(profile.nameIDFormat ?? '') || /^[^@\s]+@[^@\s]+$/.test(profile.nameID);
  const identity: SsoIdentity = {
    method: 'saml',
    subject: profile.nameID.slice(0, 500),
    persistent: profile.nameIDFormat !== 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
    email: pick('email', 'mail', 'Email', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', 'urn:oid:0.9.2342.19200300.100.1.3') ?? (nameIdIsEmail ? profile.nameID : null),
    emailVerified: true,
    firstName: pick('firstName', 'givenName', 'given_name', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname', 'urn:oid:2.5.4.42'),
    lastName: pick('lastName', 'surname', 'sn', 'family_name', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname', 'urn:oid:2.5.4.4'),
    displayName: pick('displayName', 'name', 'http://schemas.microsoft.com/identity/claims/displayname'),
    groups: (Array.isArray(groupsValue) ? groupsValue : groupsValue ? [groupsValue] : []).filter((g): g is string => typeof g === 'string'),
    received: { nameID: profile.nameID, nameIDFormat: profile.nameIDFormat, issuer: profile.issuer, attributes },
  };
  // IdP-initiated answers carry their own RelayState; ours was stored when the request started.
  const returnTo = cache.taken ? cache.taken.returnTo : sameOriginPath(body.RelayState);
  return { purpose, returnTo, identity };
}
