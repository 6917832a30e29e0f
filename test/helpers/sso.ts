import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerBuild } from '@remix-run/node';
import { freePort } from '../../db/embedded';
import { localClientId, LOCAL_CLIENT_SECRET, startOidcIdp } from '../../server/sso-idp/oidc-idp';
import { startSamlIdp } from '../../server/sso-idp/saml-idp';
import { onCleanup } from '../setup/cleanup';
import { createTestApp, startHttp } from './app';

/** The real local identity providers of `npm start`, closed after the file. */
export async function startIdps() {
  const [oidc, saml] = await Promise.all([startOidcIdp(), startSamlIdp()]);
  onCleanup(() => Promise.all([oidc.close(), saml.close()]));
  return { oidc, saml };
}

/** The app over HTTP at the address its SSO URLs name (APP_URL), with both IdPs running. */
export async function startSsoStack({ pages = false }: { pages?: boolean } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Every request comes from one address: the per-address sign-in limits have their own tests.
  const app = await createTestApp({ APP_URL: url, SIGN_IN_RATE_LIMIT: '100000' });
  const remixBuild = pages ? ((await import(pathToFileURL(path.resolve('build/index.js')).href)) as ServerBuild) : undefined;
  await startHttp(app.deps, { port, remixBuild });
  return { app, url, ...(await startIdps()) };
}

export const oidcSettings = (issuer: string, appUrl: string, slug: string) => ({
  protocol: 'oidc' as const,
  displayName: 'Local OIDC',
  issuer,
  clientId: localClientId(`${appUrl}/sso/${slug}/oidc/callback`),
  clientSecret: LOCAL_CLIENT_SECRET,
});

/** A browser-like HTTP client: keeps cookies per origin, follows no redirect by itself. */
export function agent() {
  const jars = new Map<string, Map<string, string>>();
  const jar = (url: string) => {
    const host = new URL(url).host;
    if (!jars.has(host)) jars.set(host, new Map());
    return jars.get(host)!;
  };
  const request = async (url: string, init: RequestInit = {}) => {
    const cookies = jar(url);
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    return response;
  };
  const location = (response: Response, base: string) => new URL(response.headers.get('location')!, base).href;
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { request, location, form, cookie: (url: string, name: string) => jar(url).get(name) };
}
export type Agent = ReturnType<typeof agent>;

const hidden = (html: string, name: string) => {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return match ? match[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') : undefined;
};

export type Person = { email: string; firstName?: string; lastName?: string; groups?: string; unverified?: boolean };

/** Start at Seatwise, sign in at the OpenID provider, and return Seatwise's answer to the callback. */
export async function oidcSignIn(a: Agent, appUrl: string, slug: string, person: Person, { start = `${appUrl}/sso/${slug}/start` } = {}) {
  const reached = await oidcCallback(a, appUrl, slug, person, { start });
  if (typeof reached !== 'string') return { response: reached, callback: null };
  return { response: await a.request(reached), callback: reached };
}

/** The same up to the callback URL, not opened (as an attacker keeps it); the start's answer if it did not redirect. */
export async function oidcCallback(a: Agent, appUrl: string, slug: string, person: Person, { start = `${appUrl}/sso/${slug}/start` } = {}) {
  let response = await a.request(start);
  if (response.status !== 303) return response;
  let url = a.location(response, start);
  while (!url.includes('/interaction/')) {
    response = await a.request(url);
    url = a.location(response, url);
  }
  await a.request(url);
  const uid = url.split('/interaction/')[1];
  const idp = new URL(url).origin;
  response = await a.request(`${idp}/interaction/${uid}/login`, a.form({ email: person.email, firstName: person.firstName ?? 'Test', lastName: person.lastName ?? 'Person', groups: person.groups ?? '', ...(person.unverified ? { unverified: '1' } : {}) }));
  url = a.location(response, idp);
  while (!url.startsWith(appUrl)) {
    response = await a.request(url);
    url = a.location(response, idp);
  }
  return url;
}

/** SP-initiated SAML: the AuthnRequest, the IdP's form, and the signed response it would post. */
export async function samlAnswer(a: Agent, appUrl: string, slug: string, person: Person, { start = `${appUrl}/sso/${slug}/start` } = {}) {
  // A start address elsewhere is already the IdP's (as sso.test returns it).
  const idpUrl = start.startsWith(appUrl) ? a.location(await a.request(start), appUrl) : start;
  const query = new URL(idpUrl).searchParams;
  const posted = await a.request(`${new URL(idpUrl).origin}/sso`, a.form({ SAMLRequest: query.get('SAMLRequest')!, RelayState: query.get('RelayState') ?? '', email: person.email, firstName: person.firstName ?? 'Test', lastName: person.lastName ?? 'Person', groups: person.groups ?? '' }));
  const html = await posted.text();
  return { samlResponse: hidden(html, 'SAMLResponse')!, relayState: hidden(html, 'RelayState'), requestId: new URL(idpUrl).searchParams.get('SAMLRequest') };
}

export const postAcs = (a: Agent, appUrl: string, slug: string, fields: Record<string, string>) => a.request(`${appUrl}/sso/${slug}/saml/acs`, a.form(fields));
