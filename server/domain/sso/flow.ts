import { randomBytes } from 'node:crypto';
import { withTenant, type Db, type Trx } from '../../../db/index';
import type { SsoRequestRow } from '../../../db/tables';
import { AppError } from '../../shared/errors';
import { findConnection, NOT_CONFIGURED, type SsoConnection } from './connection';

/** A started sign-in waits this long for the identity provider to answer (SPEC: short expiry). */
export const REQUEST_TTL_MS = 10 * 60_000;

export type Purpose = SsoRequestRow['purpose'];

/**
 * A refusal of an incoming SSO answer. `purpose` is known once the answer has been tied to the
 * request it answers, so a failed "Test connection" is reported on the settings page.
 */
export class SsoRefusal extends AppError {
  constructor(
    message: string,
    readonly purpose: Purpose = 'sign_in',
    readonly detail?: string,
  ) {
    super('FORBIDDEN', message, { reason: 'SSO_REFUSED' });
  }
}

export const newRequestId = () => `_${randomBytes(20).toString('hex')}`;

export async function enabledConnection(trx: Trx): Promise<SsoConnection> {
  const connection = await findConnection(trx);
  if (!connection?.enabled) throw new AppError('NOT_FOUND', NOT_CONFIGURED, { reason: 'SSO_NOT_CONFIGURED' });
  return connection;
}

export async function readConnection(db: Db, tenantId: string) {
  return withTenant(db, tenantId, (trx) => enabledConnection(trx));
}

/** Expired requests and replay-cache entries go as new ones come: no sweep job is needed. */
export async function forgetExpired(trx: Trx, now: Date) {
  await trx('sso_requests').where('expiresAt', '<', now).delete();
  await trx('sso_assertions').where('expiresAt', '<', now).delete();
}

/** Single use: the row is gone the moment it is read. */
export async function takeRequest(trx: Trx, { id, protocol, now }: { id: string; protocol: 'oidc' | 'saml'; now: Date }) {
  const [row] = await trx('sso_requests').where({ id, protocol }).where('expiresAt', '>', now).delete().returning('*');
  return (row as SsoRequestRow | undefined) ?? null;
}
