import { isReturnPath } from '../../contract/fields';
import type { Env } from '../../shared/env';

/** SPEC §4: the addresses an identity provider is given; the SP metadata URL is the SP entity id. */
export function ssoUrls(env: Pick<Env, 'APP_URL'>, slug: string) {
  const base = `${env.APP_URL.replace(/\/$/, '')}/sso/${encodeURIComponent(slug)}`;
  return {
    start: `${base}/start`,
    redirectUri: `${base}/oidc/callback`,
    acsUrl: `${base}/saml/acs`,
    spMetadataUrl: `${base}/saml/metadata`,
    entityId: `${base}/saml/metadata`,
  };
}

/**
 * SPEC "Single sign-on": a RelayState or redirect is followed only when it is a path on our own
 * origin (isReturnPath), given back with its dot segments resolved.
 */
export function sameOriginPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 1000 || !isReturnPath(value)) return null;
  const url = new URL(value, 'http://seatwise.invalid');
  return `${url.pathname}${url.search}${url.hash}`;
}
