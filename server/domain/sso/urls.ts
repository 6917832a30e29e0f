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
 * origin. `//evil.example` and `/\evil.example` are paths to a browser's parser but other hosts to
 * its navigation, so they are refused too.
 */
export function sameOriginPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 1000) return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  if (value.includes('\\') || [...value].some((c) => c.charCodeAt(0) < 0x20)) return null;
  try {
    const url = new URL(value, 'http://seatwise.invalid');
    return url.origin === 'http://seatwise.invalid' ? `${url.pathname}${url.search}${url.hash}` : null;
  } catch {
    return null;
  }
}
