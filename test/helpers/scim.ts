import type { TestApp } from './app';
import { signUp } from './factories';

export type ScimAnswer = { status: number; type: string | null; body: Record<string, unknown> & { [key: string]: unknown } };

/** One SCIM request as an identity provider sends it (bodies as application/scim+json). */
export async function scimRequest(url: string, token: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimAnswer> {
  const response = await fetch(`${url}/scim/v2${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), body: text ? JSON.parse(text) : {} };
}

/** A workspace with `standard` seats and a provisioning token, optionally with single sign-on. */
export async function provisionedWorkspace(app: TestApp, { standard = 3, client = 0, sso = false }: { standard?: number; client?: number; sso?: boolean } = {}) {
  const ws = await signUp(app);
  const owner = app.database.owner;
  await owner('seat_pools').where({ tenantId: ws.tenant.id, seatType: 'standard' }).update({ included: standard });
  await owner('seat_pools').where({ tenantId: ws.tenant.id, seatType: 'client' }).update({ included: client });
  if (sso) await owner('sso_connections').insert({ tenantId: ws.tenant.id, protocol: 'oidc', displayName: 'IdP', config: JSON.stringify({}) });
  const token = await ws.owner.provisioning.createToken({ name: 'Okta' });
  const roles = new Map((await owner('roles').where({ tenantId: ws.tenant.id }).select('key', 'id')).map((r) => [r.key!, r.id]));
  return { ...ws, token: token.token, tokenId: token.id, prefix: token.prefix, roles };
}

export const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export function newUser(email: string, extra: Record<string, unknown> = {}) {
  const [given] = email.split('@');
  return { schemas: [SCIM_USER], userName: email, name: { givenName: given, familyName: 'Tester' }, emails: [{ primary: true, value: email, type: 'work' }], active: true, ...extra };
}
