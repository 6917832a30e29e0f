/**
 * A local SAML 2.0 identity provider for development and tests (never started in production).
 * It reads AuthnRequests (HTTP-Redirect), signs responses with xml-crypto (the library node-saml
 * verifies with) and posts them to the service provider (HTTP-POST), SP- or IdP-initiated.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import express from 'express';
import { SignedXml } from 'xml-crypto';
import { generateSigningKey, type SigningKey } from './keys';
import { escapeHtml, page, userFields } from './page';

export type SamlUser = { email: string; nameId?: string; firstName?: string; lastName?: string; groups?: string[] };

export type ResponseOptions = {
  issuer: string;
  acsUrl: string;
  audience: string;
  user: SamlUser;
  inResponseTo?: string;
  /** Which element carries a signature. */
  sign?: 'assertion' | 'response' | 'both' | 'none';
  key: SigningKey;
  destination?: string | null;
  recipient?: string;
  assertionId?: string;
  nameIdFormat?: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
  now?: Date;
};

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const x = escapeHtml;
const SIGNATURE = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const DIGEST = 'http://www.w3.org/2001/04/xmlenc#sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

function sign(xml: string, key: SigningKey, element: 'Assertion' | 'Response') {
  const sig = new SignedXml({ privateKey: key.privateKey, publicCert: key.cert, signatureAlgorithm: SIGNATURE, canonicalizationAlgorithm: EXC_C14N });
  const xpath = element === 'Assertion' ? "//*[local-name(.)='Assertion']" : "/*[local-name(.)='Response']";
  sig.addReference({ xpath, digestAlgorithm: DIGEST, transforms: [ENVELOPED, EXC_C14N] });
  sig.computeSignature(xml, { location: { reference: `${xpath}/*[local-name(.)='Issuer']`, action: 'after' } });
  return sig.getSignedXml();
}

/** A SAML Response as an IdP sends it; tests vary each field to forge the ones we must refuse. */
export function buildSamlResponse(o: ResponseOptions): string {
  const now = o.now ?? new Date();
  const notBefore = o.notBefore ?? new Date(now.getTime() - 60_000);
  const notOnOrAfter = o.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000);
  const responseId = `_r${randomBytes(16).toString('hex')}`;
  const assertionId = o.assertionId ?? `_a${randomBytes(16).toString('hex')}`;
  const irt = o.inResponseTo ? ` InResponseTo="${x(o.inResponseTo)}"` : '';
  const destination = o.destination === null ? '' : ` Destination="${x(o.destination ?? o.acsUrl)}"`;
  const attribute = (name: string, values: string[]) =>
    values.length ? `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values.map((v) => `<saml:AttributeValue xsi:type="xs:string">${x(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>` : '';
  const assertion =
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="${assertionId}" Version="2.0" IssueInstant="${iso(now)}">` +
    `<saml:Issuer>${x(o.issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${x(o.nameIdFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress')}">${x(o.user.nameId ?? o.user.email)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(notOnOrAfter)}" Recipient="${x(o.recipient ?? o.acsUrl)}"${irt}/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${x(o.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${assertionId}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attribute('email', [o.user.email])}${attribute('firstName', o.user.firstName ? [o.user.firstName] : [])}${attribute('lastName', o.user.lastName ? [o.user.lastName] : [])}${attribute('groups', o.user.groups ?? [])}</saml:AttributeStatement>` +
    `</saml:Assertion>`;
  const how = o.sign ?? 'assertion';
  const signedAssertion = how === 'assertion' || how === 'both' ? sign(assertion, o.key, 'Assertion') : assertion;
  const response =
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${responseId}" Version="2.0" IssueInstant="${iso(now)}"${destination}${irt}>` +
    `<saml:Issuer>${x(o.issuer)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${signedAssertion}</samlp:Response>`;
  return how === 'response' || how === 'both' ? sign(response, o.key, 'Response') : response;
}

/** The auto-submitting form of the HTTP-POST binding; its button works without JavaScript. */
export const postForm = (acsUrl: string, samlResponse: string, relayState?: string) =>
  page(
    'Signing you in…',
    `<form method="post" action="${x(acsUrl)}" id="saml-post"><input type="hidden" name="SAMLResponse" value="${x(Buffer.from(samlResponse).toString('base64'))}">` +
      `${relayState ? `<input type="hidden" name="RelayState" value="${x(relayState)}">` : ''}<button type="submit">Continue to the service</button></form>` +
      `<script>document.getElementById('saml-post').submit()</script>`,
  );

type AuthnRequest = { id: string; acsUrl: string; issuer: string };

function readAuthnRequest(encoded: string): AuthnRequest | null {
  try {
    const xml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
    const root = new DOMParser({ errorHandler: { warning: () => {}, error: () => {}, fatalError: () => {} } }).parseFromString(xml, 'text/xml').documentElement;
    const issuer = root?.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer')[0]?.textContent ?? '';
    const id = root?.getAttribute('ID');
    const acsUrl = root?.getAttribute('AssertionConsumerServiceURL');
    return id && acsUrl ? { id, acsUrl, issuer } : null;
  } catch {
    return null;
  }
}

const userOf = (body: Record<string, string>): SamlUser => ({
  email: String(body.email ?? '').trim(),
  firstName: body.firstName || undefined,
  lastName: body.lastName || undefined,
  groups: String(body.groups ?? '').split(',').map((g) => g.trim()).filter(Boolean),
});

export async function startSamlIdp({ port = 0, host = '127.0.0.1' }: { port?: number; host?: string } = {}) {
  const key = await generateSigningKey('Seatwise local test SAML IdP');
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  const server = app.listen(port, host);
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entityId = `${url}/metadata`;

  const metadata = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${key.certBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${url}/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

  app.get('/metadata', (_req, res) => void res.type('application/samlmetadata+xml').send(metadata));

  // SP-initiated: the AuthnRequest arrives by redirect; the person says who they are.
  app.get('/sso', (req, res) => {
    const request = typeof req.query.SAMLRequest === 'string' ? readAuthnRequest(req.query.SAMLRequest) : null;
    if (!request) return void res.status(400).send(page('Bad request', '<p>No readable SAMLRequest.</p>'));
    const relay = typeof req.query.RelayState === 'string' ? req.query.RelayState : '';
    res.send(
      page(
        'Local test SAML IdP',
        `<p>Sign in to <strong>${x(request.issuer)}</strong></p><form method="post" action="/sso">` +
          `<input type="hidden" name="SAMLRequest" value="${x(req.query.SAMLRequest)}"><input type="hidden" name="RelayState" value="${x(relay)}">${userFields()}<button type="submit">Sign in</button></form>`,
      ),
    );
  });
  app.post('/sso', (req, res) => {
    const request = readAuthnRequest(String(req.body.SAMLRequest ?? ''));
    const user = userOf(req.body);
    if (!request || !user.email) return void res.status(400).send(page('Bad request', '<p>Missing request or email.</p>'));
    const xml = buildSamlResponse({ issuer: entityId, acsUrl: request.acsUrl, audience: request.issuer, inResponseTo: request.id, user, key });
    res.send(postForm(request.acsUrl, xml, req.body.RelayState || undefined));
  });

  // IdP-initiated: a tile in the IdP's portal, for a service named by its ACS URL and entity id.
  app.get('/idp-initiated', (req, res) => {
    const acs = String(req.query.acs ?? '');
    const audience = String(req.query.audience ?? '');
    res.send(
      page(
        'Local test SAML IdP: open an app',
        `<form method="post" action="/idp-initiated"><input type="hidden" name="acs" value="${x(acs)}"><input type="hidden" name="audience" value="${x(audience)}">` +
          `<label for="relay">Open at (RelayState)</label><input id="relay" name="RelayState" value="/dashboard">${userFields()}<button type="submit">Open Seatwise</button></form>`,
      ),
    );
  });
  app.post('/idp-initiated', (req, res) => {
    const user = userOf(req.body);
    const acs = String(req.body.acs ?? '');
    if (!/^https?:\/\//.test(acs) || !user.email) return void res.status(400).send(page('Bad request', '<p>Missing ACS URL or email.</p>'));
    const xml = buildSamlResponse({ issuer: entityId, acsUrl: acs, audience: String(req.body.audience ?? ''), user, key });
    res.send(postForm(acs, xml, req.body.RelayState || undefined));
  });

  return {
    url,
    entityId,
    metadata,
    key,
    /** A response signed by this IdP (tests alter it to forge the ones that must be refused). */
    response: (o: Omit<ResponseOptions, 'issuer' | 'key'> & { key?: SigningKey }) => buildSamlResponse({ issuer: entityId, key, ...o }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
