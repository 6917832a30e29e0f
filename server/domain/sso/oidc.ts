import { createHash, timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import { withTenant, type Db } from '../../../db/index';
import type { Env } from '../../shared/env';
import type { OidcConfig } from './connection';
import { forgetExpired, readConnection, REQUEST_TTL_MS, SsoRefusal, takeRequest, type Purpose } from './flow';
import type { SsoIdentity } from './sign-in';
import { ssoUrls } from './urls';

const DISCOVERY_TTL_MS = 5 * 60_000;
const discovered = new Map<string, { at: number; config: Promise<client.Configuration> }>();

/**
 * The provider's configuration from its discovery document (cached a few minutes per process).
 * Only outside production may the issuer be plain http (the local test IdP); SPEC §4.
 */
function discover(env: Pick<Env, 'NODE_ENV'>, settings: OidcConfig) {
  const key = createHash('sha256').update(`${settings.issuer}\n${settings.clientId}\n${settings.clientSecret}`).digest('hex');
  const hit = discovered.get(key);
  if (hit && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.config;
  const insecure = env.NODE_ENV !== 'production' && settings.issuer.startsWith('http://');
  const config = client.discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret, undefined, {
    // openid-client v6 checks an ID token's signature against the provider's JWKS only when asked:
    // without it a token from the token endpoint is trusted as is (alg none, HS256 with our secret).
    execute: insecure ? [client.allowInsecureRequests, client.enableNonRepudiationChecks] : [client.enableNonRepudiationChecks],
    timeout: 10,
  });
  discovered.set(key, { at: Date.now(), config });
  config.catch(() => discovered.delete(key));
  return config;
}

const unreachable = (error: unknown) =>
  new SsoRefusal("Could not reach the identity provider's OpenID configuration. Check the issuer URL, or try again.", 'sign_in', String((error as Error)?.message ?? error));

/** SPEC: authorization code with PKCE, state and nonce, all kept server-side in sso_requests. */
export async function startOidc({ db, env, tenantId, slug, purpose, returnTo, now }: { db: Db; env: Env; tenantId: string; slug: string; purpose: Purpose; returnTo: string | null; now: Date }) {
  const connection = await readConnection(db, tenantId);
  if (connection.protocol !== 'oidc') throw new Error('not an OIDC connection');
  const config = await discover(env, connection.config).catch((error) => {
    throw unreachable(error);
  });
  const state = client.randomState();
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  await withTenant(db, tenantId, async (trx) => {
    await forgetExpired(trx, now);
    await trx('sso_requests').insert({ id: state, tenantId, protocol: 'oidc', purpose, nonce, codeVerifier, returnTo, createdAt: now, expiresAt: new Date(now.getTime() + REQUEST_TTL_MS) });
  });
  return client.buildAuthorizationUrl(config, {
    redirect_uri: ssoUrls(env, slug).redirectUri,
    scope: 'openid email profile',
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...(purpose === 'test' ? { prompt: 'login' } : {}),
  }).href;
}

/** What the provider's standard error codes (RFC 6749 §4.1.2.1, OIDC §3.1.2.6) mean, in our words. */
const IDP_ERRORS: Record<string, string> = {
  access_denied: 'The sign-in was cancelled or refused at your identity provider. Start again, or ask your administrator for access.',
  login_required: 'Your identity provider needs you to sign in there first. Start again.',
  interaction_required: 'Your identity provider needs you to sign in there first. Start again.',
  consent_required: 'Your identity provider needs your consent first. Start again, or ask your administrator.',
  temporarily_unavailable: 'Your identity provider is unavailable for now. Try again in a few minutes.',
};
const IDP_ERROR_OTHER = 'Your identity provider did not sign you in. Start again, or ask your administrator to check the single sign-on connection.';
export const NOT_THIS_BROWSER = 'This sign-in was started in another browser or tab, or has expired. Start again from the sign-in page.';

const sameValue = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The redirect back: the state names the one request it answers (single use) and, for a sign-in,
 * must also be the one this browser was given at /start (`boundState`, an httpOnly cookie): a
 * callback URL someone else started cannot sign this browser in (login CSRF). openid-client checks
 * the code exchange with PKCE, and the ID token's signature (JWKS), issuer, audience, expiry and nonce.
 */
export async function finishOidc({ db, env, tenantId, slug, query, boundState, now }: { db: Db; env: Env; tenantId: string; slug: string; query: URLSearchParams; boundState: string | undefined; now: Date }) {
  const state = query.get('state');
  const pending = state && state.length <= 200 ? await withTenant(db, tenantId, (trx) => takeRequest(trx, { id: state, protocol: 'oidc', now })) : null;
  if (!pending) throw new SsoRefusal('This sign-in was not started here, has expired or was already used. Start again.', 'sign_in', 'unknown state');
  const purpose = pending.purpose;
  // "Test connection" starts from the settings page, not /start, and never opens a session.
  if (purpose === 'sign_in' && !(boundState && sameValue(boundState, state!))) throw new SsoRefusal(NOT_THIS_BROWSER, purpose, 'state not bound to this browser');
  const idpError = query.get('error');
  if (idpError) {
    // Never the provider's own text on our page: anyone can put any error_description in a link.
    const detail = `${idpError.slice(0, 100)}${query.get('error_description') ? `: ${query.get('error_description')!.slice(0, 300)}` : ''}`;
    throw new SsoRefusal(Object.hasOwn(IDP_ERRORS, idpError) ? IDP_ERRORS[idpError] : IDP_ERROR_OTHER, purpose, detail);
  }
  const connection = await readConnection(db, tenantId);
  if (connection.protocol !== 'oidc') throw new SsoRefusal('Single sign-on was changed meanwhile. Start again.', purpose);
  const config = await discover(env, connection.config).catch((error) => {
    throw unreachable(error);
  });
  // The address the provider redirected to, rebuilt from our own URL: proxies may rewrite the request's.
  const callback = new URL(ssoUrls(env, slug).redirectUri);
  for (const [k, v] of query) callback.searchParams.append(k, v);
  let tokens;
  try {
    tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: pending.codeVerifier!,
      expectedState: state!,
      expectedNonce: pending.nonce!,
      idTokenExpected: true,
    });
  } catch (error) {
    throw new SsoRefusal('The identity provider’s answer could not be verified. Start again.', purpose, (error as Error).message);
  }
  const claims = tokens.claims()!;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 254) : null);
  const groups = Array.isArray(claims.groups) ? claims.groups.filter((g): g is string => typeof g === 'string') : [];
  const identity: SsoIdentity = {
    method: 'oidc',
    subject: String(claims.sub),
    persistent: true,
    // Only `email`: Entra ID's preferred_username is not a verified address (README says to add the email claim).
    email: str(claims.email),
    // Entra ID sends no email_verified; an absent claim is the provider's word, an explicit false is not.
    emailVerified: claims.email_verified !== false,
    firstName: str(claims.given_name),
    lastName: str(claims.family_name),
    displayName: str(claims.name),
    groups,
    received: Object.fromEntries(Object.entries(claims).filter(([k]) => !['nonce', 'at_hash', 'c_hash', 's_hash'].includes(k))),
  };
  return { purpose, returnTo: pending.returnTo, identity };
}
