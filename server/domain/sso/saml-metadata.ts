import { DOMParser } from '@xmldom/xmldom';
import { AppError } from '../../shared/errors';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

export type IdpMetadata = { entityId: string; ssoUrl: string; certs: string[] };

const refuse = (message: string) => new AppError('BAD_REQUEST', message, { field: 'metadataXml', reason: 'SSO_METADATA' });

/**
 * What we need from pasted IdP metadata: its entity id, where to send AuthnRequests (HTTP-Redirect)
 * and the certificates its signatures must verify against. Parsed with xmldom, which node-saml uses
 * too; signatures themselves are only ever checked by node-saml.
 */
export function parseIdpMetadata(xml: string): IdpMetadata {
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { warning: () => {}, error: (m: string) => void errors.push(m), fatalError: (m: string) => void errors.push(m) } }).parseFromString(xml, 'text/xml');
  const root = doc?.documentElement;
  if (errors.length || !root) throw refuse('This is not XML metadata. Paste the whole metadata document your identity provider offers.');
  const entities = root.localName === 'EntityDescriptor' ? [root] : Array.from(root.getElementsByTagNameNS(MD, 'EntityDescriptor'));
  const entity = entities.find((e) => e.getElementsByTagNameNS(MD, 'IDPSSODescriptor').length > 0);
  if (!entity) throw refuse('The metadata has no identity provider (IDPSSODescriptor). Paste the metadata of the identity provider, not of an app.');
  const idp = entity.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0];
  const entityId = entity.getAttribute('entityID')?.trim();
  if (!entityId) throw refuse('The metadata has no entityID.');

  const sso = Array.from(idp.getElementsByTagNameNS(MD, 'SingleSignOnService')).find((s) => s.getAttribute('Binding') === REDIRECT);
  const ssoUrl = sso?.getAttribute('Location')?.trim();
  if (!ssoUrl || !/^https?:\/\//.test(ssoUrl)) throw refuse('The metadata has no single sign-on URL for the HTTP-Redirect binding (SingleSignOnService).');

  const certs = Array.from(idp.getElementsByTagNameNS(MD, 'KeyDescriptor'))
    .filter((k) => !k.getAttribute('use') || k.getAttribute('use') === 'signing')
    .flatMap((k) => Array.from(k.getElementsByTagNameNS(DS, 'X509Certificate')))
    .map((c) => (c.textContent ?? '').replace(/\s+/g, ''))
    .filter((c) => /^[A-Za-z0-9+/=]{100,}$/.test(c));
  if (!certs.length) throw refuse('The metadata has no signing certificate (KeyDescriptor with an X509Certificate). Without it no response could be trusted.');
  return { entityId, ssoUrl, certs: [...new Set(certs)] };
}

export const pemCertificate = (base64: string) => `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
