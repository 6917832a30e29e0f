import type { Trx } from '../../../db/index';
import type { RoleRow as StoredRole } from '../../../db/tables';
import { AppError } from '../../shared/errors';
import type { Permission } from '../roles/built-in';
import { AUDIENCE_LABELS, AUDIENCE_OF_KIND, SEAT_LABELS, type SeatType } from '../../contract/seats';
import { USER_COLUMNS } from './columns';


export type RoleRow = Pick<StoredRole, 'id' | 'key' | 'name' | 'audience' | 'permissions'>;

/** Row-level security hides other tenants' rows, so "not yours" and "does not exist" look alike. */
export async function findUser(trx: Trx, id: string, { forUpdate = false } = {}) {
  const query = trx('users').where({ id }).first(...USER_COLUMNS, 'passwordHash');
  const user = await (forUpdate ? query.forNoKeyUpdate() : query);
  if (!user) throw new AppError('NOT_FOUND', 'User not found', { field: 'id' });
  return user;
}

export async function findRole(trx: Trx, id: string) {
  const role = await trx('roles').where({ id }).first('id', 'key', 'name', 'audience', 'permissions');
  if (!role) throw new AppError('NOT_FOUND', 'Role not found', { field: 'roleId' });
  return role;
}

/** SPEC: "If the user is defined as Client User, only client roles can be given for this user." */
export function assertRoleFitsKind(role: RoleRow, kind: SeatType) {
  if (role.audience !== AUDIENCE_OF_KIND[kind]) {
    throw new AppError(
      'BAD_REQUEST',
      `If the user is defined as ${SEAT_LABELS[kind]}, only ${AUDIENCE_LABELS[AUDIENCE_OF_KIND[kind]]} roles can be given for this user.`,
      { field: 'roleId', reason: 'ROLE_AUDIENCE' },
    );
  }
}

/** Nobody hands out more power than they hold: an Admin cannot make an Owner. */
const missingPermissions = (role: Pick<RoleRow, 'permissions'>, permissions: ReadonlySet<Permission>) => role.permissions.filter((p) => !permissions.has(p));

export function assertCanGrant(role: RoleRow, permissions: ReadonlySet<Permission>) {
  const missing = missingPermissions(role, permissions);
  if (missing.length) {
    throw new AppError('FORBIDDEN', `You cannot give the ${role.name} role: it has permissions you do not have (${missing.join(', ')}).`, {
      field: 'roleId',
    });
  }
}

/**
 * Nobody acts on someone who holds more power than they do: not their identity (email, user
 * name, SAML name id, names), status, password, invitation, sessions, role or keys. Otherwise an
 * Admin could point the Owner's email at themselves and send the Owner's reset link there.
 */
export async function assertMayActOn(trx: Trx, user: { roleId: string }, permissions: ReadonlySet<Permission>, what: string) {
  const role = await findRole(trx, user.roleId);
  const missing = missingPermissions(role, permissions);
  if (missing.length) {
    throw new AppError(
      'FORBIDDEN',
      `You cannot ${what} this user: their role, ${role.name}, has permissions you do not have (${missing.join(', ')}). Ask someone who holds them.`,
      { reason: 'OUTRANKED', missing },
    );
  }
  return role;
}

/**
 * The tenant row lock that orders changes which could leave a workspace without an Owner. Taken
 * before any user row lock, by every such path (admin status and role changes, the sweep), so
 * they queue instead of deadlocking. FOR NO KEY UPDATE: rows inserted meanwhile that reference the
 * tenant (a new user, an audit event) take KEY SHARE locks, which this neither waits for nor blocks,
 * so a create holding the seat lock never waits on a reactivation waiting on that seat lock.
 */
export async function lockTenant(trx: Trx, tenantId: string) {
  await trx('tenants').where({ id: tenantId }).forNoKeyUpdate().first('id');
}

/**
 * SPEC: the last active Owner can never lose access or the role. The tenant row lock makes two
 * admins demoting the last two Owners at once take turns, so one of them is refused.
 */
export async function assertNotLastActiveOwner(trx: Trx, tenantId: string, user: { id: string; roleId: string; status: string }, what: string) {
  if (await isLastActiveOwner(trx, tenantId, user)) {
    throw new AppError('FORBIDDEN', `This is the last active Owner of the workspace and cannot be ${what}. Make another user Owner first.`, {
      reason: 'LAST_OWNER',
    });
  }
}

/** Whether this user is the workspace's only active Owner (under the tenant row lock, as above). */
export async function isLastActiveOwner(trx: Trx, tenantId: string, user: { id: string; roleId: string; status: string }) {
  const role = await trx('roles').where({ id: user.roleId }).first('key');
  if (role?.key !== 'owner' || user.status !== 'active') return false;
  await lockTenant(trx, tenantId);
  const [{ n }] = await trx('users as u')
    .join('roles as r', 'r.id', 'u.roleId')
    .where({ 'r.key': 'owner', 'u.status': 'active' })
    .whereNot('u.id', user.id)
    .select(trx.raw('count(*)::int as n'));
  return n === 0;
}
