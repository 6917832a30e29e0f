import type { UpdateProfileInput } from '../../contract/me';
import { AppError } from '../../shared/errors';
import { SIGN_IN_REQUIRED } from '../auth/sessions';
import { writeAudit } from '../audit/write';
import type { Scope } from '../scope';
import { USER_COLUMNS, type PublicUser } from './columns';
import { changedFields } from '../audit/changes';

/** The profile is the acting person's own row; an API key acts for an API user, who has none to edit. */
function ownUserId(scope: Scope): string {
  if (scope.actor.type === 'api_key' || !scope.actorUserId) {
    throw new AppError('BAD_REQUEST', 'API keys have no profile', { reason: 'NO_PROFILE' });
  }
  return scope.actorUserId;
}

async function findOwnUser(scope: Scope, id: string, { forUpdate = false } = {}) {
  const query = scope.trx('users').where({ id }).first(...USER_COLUMNS);
  const user = await (forUpdate ? query.forNoKeyUpdate() : query);
  if (!user) throw new AppError('UNAUTHORIZED', SIGN_IN_REQUIRED);
  return user;
}

export async function getProfile(scope: Scope): Promise<PublicUser> {
  return findOwnUser(scope, ownUserId(scope));
}

/** Writes only the fields that changed, and audits exactly those; nothing changed, nothing written. */
export async function updateProfile(scope: Scope, input: UpdateProfileInput): Promise<PublicUser> {
  const id = ownUserId(scope);
  const { trx, tenantId, now } = scope;
  const user = await findOwnUser(scope, id, { forUpdate: true });
  const wanted: Pick<PublicUser, 'firstName' | 'lastName' | 'displayName' | 'timeZone' | 'locale'> = {
    firstName: input.firstName,
    lastName: input.lastName,
    displayName: input.displayName || `${input.firstName} ${input.lastName}`,
    timeZone: input.timeZone,
    locale: input.locale,
  };
  const { before, after, changed } = changedFields(user, wanted);
  if (!changed) return user;
  const [updated] = await trx('users').where({ id }).update({ ...after, updatedAt: now }).returning(USER_COLUMNS);
  await writeAudit({ trx, tenantId, actor: scope.actor, action: 'user.profile_updated', target: { type: 'user', id }, before, after, ip: scope.ip, at: now });
  return updated;
}
