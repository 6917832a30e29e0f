import { isIP } from 'node:net';
import type { Trx } from '../../../db/index';
import type { SsoConnectionRow } from '../../../db/tables';
import type { ConfigureSsoInput, SsoSettings, SsoTestReport } from '../../contract/sso';
import type { Env } from '../../shared/env';
import { AppError } from '../../shared/errors';
import { writeAudit } from '../audit/write';
import type { Scope } from '../scope';
import { getTenant } from '../tenants/tenants';
import { parseIdpMetadata, type IdpMetadata } from './saml-metadata';
import { ssoUrls } from './urls';

/**
 * Protocol settings as `sso_connections.config` holds them. The OIDC client secret is stored as
 * given: the codebase has no key to encrypt it with (README "Decisions"); row-level security keeps
 * it to its tenant and it never leaves the server (not in `sso.get`, audit events or logs).
 */
export type OidcConfig = { issuer: string; clientId: string; clientSecret: string };
export type SamlConfig = { metadataXml: string } & IdpMetadata;
export type SsoConnection = Omit<SsoConnectionRow, 'config'> &
  ({ protocol: 'oidc'; config: OidcConfig } | { protocol: 'saml'; config: SamlConfig });

export const NOT_CONFIGURED = 'Single sign-on is not set up for this workspace.';

export async function findConnection(trx: Trx): Promise<SsoConnection | null> {
  const row = await trx('sso_connections').first('*');
  return (row as SsoConnection | undefined) ?? null;
}

/**
 * SPEC §4: outside production an http://localhost issuer is accepted (the local test IdP); in
 * production only https, and never an address inside our own network: the server fetches the
 * issuer's discovery document when anyone opens the sign-in link.
 */
export function checkIssuer(env: Pick<Env, 'NODE_ENV'>, issuer: string) {
  const url = new URL(issuer);
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const local = ['localhost', '127.0.0.1', '::1'].includes(host);
  if (env.NODE_ENV === 'production' && url.protocol === 'https:' && internalHost(host)) {
    throw new AppError('BAD_REQUEST', 'The issuer must be a public address of your identity provider, not one inside this network.', { field: 'issuer', reason: 'SSO_ISSUER' });
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && local && env.NODE_ENV !== 'production')) return;
  throw new AppError('BAD_REQUEST', env.NODE_ENV === 'production' ? 'The issuer must be an https:// address.' : 'The issuer must be an https:// address (or http://localhost for a local test provider).', {
    field: 'issuer',
    reason: 'SSO_ISSUER',
  });
}

/** Loopback, private, link-local and unspecified addresses, and names that only resolve inside. */
function internalHost(host: string) {
  const version = isIP(host);
  if (version === 4) {
    const [a, b] = host.split('.').map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168);
  }
  if (version === 6) return host === '::' || host === '::1' || /^(fc|fd|fe8|fe9|fea|feb)/.test(host) || host.startsWith('::ffff:');
  return host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || host.endsWith('.local') || !host.includes('.');
}

export function settingsOf(env: Pick<Env, 'APP_URL'>, slug: string, c: SsoConnection): SsoSettings {
  const urls = ssoUrls(env, slug);
  const common = {
    protocol: c.protocol,
    displayName: c.displayName,
    passwordSignIn: c.passwordSignIn,
    jitProvisioning: c.jitProvisioning,
    enabled: c.enabled,
    lastTest: (c.lastTest as SsoTestReport | null) ?? null,
  };
  if (c.protocol === 'oidc') {
    return { ...common, issuer: c.config.issuer, clientId: c.config.clientId, hasClientSecret: Boolean(c.config.clientSecret), redirectUri: urls.redirectUri };
  }
  return { ...common, idpEntityId: c.config.entityId, idpSsoUrl: c.config.ssoUrl, spMetadataUrl: urls.spMetadataUrl, acsUrl: urls.acsUrl, entityId: urls.entityId };
}

/** `sso.get`: null when the workspace has never configured an identity provider. */
export async function getSso({ trx, tenantId, env }: { trx: Trx; tenantId: string; env: Env }): Promise<SsoSettings | null> {
  const connection = await findConnection(trx);
  if (!connection) return null;
  const tenant = await getTenant({ trx, tenantId });
  return settingsOf(env, tenant.slug, connection);
}

/** What the audit log keeps of a connection: never the client secret or the whole metadata. */
const auditView = (c: Pick<SsoConnection, 'protocol' | 'displayName' | 'passwordSignIn' | 'jitProvisioning' | 'enabled' | 'config'>) => ({
  protocol: c.protocol,
  displayName: c.displayName,
  passwordSignIn: c.passwordSignIn,
  jitProvisioning: c.jitProvisioning,
  enabled: c.enabled,
  ...(c.protocol === 'oidc'
    ? { issuer: (c.config as OidcConfig).issuer, clientId: (c.config as OidcConfig).clientId }
    : { idpEntityId: (c.config as SamlConfig).entityId, idpSsoUrl: (c.config as SamlConfig).ssoUrl }),
});

export async function configureSso(scope: Scope & { env: Env }, input: ConfigureSsoInput): Promise<SsoSettings> {
  const { trx, tenantId, now, env } = scope;
  const current = await findConnection(trx);
  let config: OidcConfig | SamlConfig;
  if (input.protocol === 'oidc') {
    checkIssuer(env, input.issuer);
    // The stored secret goes only to the provider it was made for: a new issuer needs it typed again.
    const sameClient = current?.protocol === 'oidc' && current.config.clientId === input.clientId && current.config.issuer === input.issuer.replace(/\/$/, '');
    const kept = sameClient ? current.config.clientSecret : undefined;
    const clientSecret = input.clientSecret || kept;
    if (!clientSecret) throw new AppError('BAD_REQUEST', 'Enter the client secret the identity provider gave you', { field: 'clientSecret', reason: 'SSO_SECRET' });
    config = { issuer: input.issuer.replace(/\/$/, ''), clientId: input.clientId, clientSecret };
  } else {
    if (input.metadataXml) config = { metadataXml: input.metadataXml, ...parseIdpMetadata(input.metadataXml) };
    else if (current?.protocol === 'saml') config = current.config;
    else throw new AppError('BAD_REQUEST', "Paste the identity provider's metadata XML", { field: 'metadataXml', reason: 'SSO_METADATA' });
  }
  const values = {
    protocol: input.protocol,
    displayName: input.displayName,
    passwordSignIn: input.passwordSignIn ?? current?.passwordSignIn ?? 'everyone',
    jitProvisioning: input.jitProvisioning ?? current?.jitProvisioning ?? false,
    enabled: true,
  };
  await trx('sso_connections')
    .insert({ tenantId, ...values, config: JSON.stringify(config), createdAt: now, updatedAt: now })
    .onConflict('tenantId')
    .merge({ ...values, config: JSON.stringify(config), lastTest: trx.raw('null'), updatedAt: now });
  await writeAudit({
    trx,
    tenantId,
    actor: scope.actor,
    action: 'sso.configured',
    target: { type: 'tenant', id: tenantId },
    before: current ? auditView(current) : undefined,
    after: auditView({ ...values, config }),
    ip: scope.ip,
    at: now,
  });
  return (await getSso({ trx, tenantId, env }))!;
}

/** Turns single sign-on off: password sign-in is open to everyone again; the settings are kept. */
export async function disableSso(scope: Scope & { env: Env }): Promise<SsoSettings> {
  const { trx, tenantId, now, env } = scope;
  const current = await findConnection(trx);
  if (!current) throw new AppError('NOT_FOUND', NOT_CONFIGURED, { reason: 'SSO_NOT_CONFIGURED' });
  await trx('sso_connections').where({ tenantId }).update({ enabled: false, passwordSignIn: 'everyone', updatedAt: now });
  if (current.enabled) {
    await writeAudit({
      trx,
      tenantId,
      actor: scope.actor,
      action: 'sso.disabled',
      target: { type: 'tenant', id: tenantId },
      before: auditView(current),
      after: auditView({ ...current, enabled: false, passwordSignIn: 'everyone' }),
      ip: scope.ip,
      at: now,
    });
  }
  return (await getSso({ trx, tenantId, env }))!;
}

/** For the sign-in page: which identity provider, if any, a workspace offers. */
export async function workspaceSignInOptions(trx: Trx) {
  const c = await findConnection(trx);
  return c?.enabled ? { displayName: c.displayName, passwordSignIn: c.passwordSignIn } : null;
}

export const passwordNotAllowedMessage = (displayName: string) =>
  `Your workspace signs in through ${displayName}. Use "Continue with ${displayName}" instead of a password.`;

/** The connection that keeps a non-Owner from signing in with a password, if any. */
export async function passwordSignInOnlyForOwners(trx: Trx, roleId: string) {
  const connection = await trx('sso_connections').where({ enabled: true, passwordSignIn: 'owners' }).first('displayName');
  if (!connection) return null;
  const role = await trx('roles').where({ id: roleId }).first('key');
  return role?.key === 'owner' ? null : connection;
}
