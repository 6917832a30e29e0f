import type { Trx } from '../../../db/index';
import { AppError } from '../../shared/errors';
import { passwordNotAllowedMessage, passwordSignInOnlyForOwners } from '../sso/connection';

/**
 * SPEC "Single sign-on": with password sign-in kept for Owners only, a reset link or an invitation
 * still sets the password (and moves the status as it always does), but opens no session for
 * anyone else: it answers this refusal instead, naming the workspace so the page links to its
 * sign-in. Null when a session may be opened.
 */
export async function passwordSessionRefusal(trx: Trx, { tenantId, roleId, done }: { tenantId: string; roleId: string; done: string }) {
  const onlyOwners = await passwordSignInOnlyForOwners(trx, roleId);
  if (!onlyOwners) return null;
  const tenant = await trx('tenants').where({ id: tenantId }).first('slug');
  return new AppError('FORBIDDEN', `${done} ${passwordNotAllowedMessage(onlyOwners.displayName)}`, { reason: 'SSO_REQUIRED', workspace: tenant?.slug ?? null });
}
