import type { z } from 'zod';
import type { Trx } from '../../../db/index';
import type { mapGroupInput } from '../../contract/scim';
import { AUDIENCE_OF_KIND, type SeatType } from '../../contract/seats';
import { AppError } from '../../shared/errors';
import { writeAudit } from '../audit/write';
import type { Scope } from '../scope';
import { setUserRole } from '../users/role';
import { assertCanGrant, assertMayActOn, isLastActiveOwner, lockTenant } from '../users/rules';

/**
 * SPEC "Directory provisioning": a provisioned user's role is that of its highest-priority mapped
 * group whose role fits the user's kind (lowest priority number first), Read Only for a standard
 * user in none (as the seeds say) and Client for a client user in none. A mapping whose role does
 * not fit a member's kind is skipped for that member and reported on the provisioning page.
 */
const FALLBACK_ROLE = { standard: 'read_only', client: 'client', api: 'integration' } as const;
const FITTING_ORDER = `order by g.priority nulls last, g.created_at, g.id`;

async function fallbackRoleId(trx: Trx, kind: SeatType) {
  const role = await trx('roles').where({ key: FALLBACK_ROLE[kind], audience: AUDIENCE_OF_KIND[kind] }).first('id');
  if (!role) throw new Error(`The built-in ${FALLBACK_ROLE[kind]} role is missing from this workspace.`);
  return role.id;
}

/**
 * The role for a person who belongs to these groups (by display name, any case): for single
 * sign-on's just-in-time provisioning, which learns group names from the identity provider.
 */
export async function roleForGroupNames(trx: Trx, { groupNames, kind }: { groupNames: string[]; kind: 'standard' | 'client' }): Promise<{ roleId: string }> {
  const names = [...new Set(groupNames.map((n) => n.toLowerCase()))];
  const row = names.length
    ? await trx('scim_groups as g')
        .join('roles as r', 'r.id', 'g.roleId')
        .whereRaw('lower(g.display_name) = any(?)', [names])
        .where('r.audience', AUDIENCE_OF_KIND[kind])
        .orderByRaw('g.priority nulls last, g.created_at, g.id')
        .first('g.roleId')
    : undefined;
  return { roleId: row?.roleId ?? (await fallbackRoleId(trx, kind)) };
}

const AUDIENCE_SQL = `case u.kind when 'standard' then 'internal'::role_audience when 'client' then 'client'::role_audience else 'api'::role_audience end`;

type DerivedRole = { id: string; email: string; status: string; roleId: string; target: string };

/**
 * The role each linked user's groups give it now (its fitting mapped group's, else the fallback
 * for its kind), for these users or, with null, every linked user.
 */
async function derivedRoles(trx: Trx, userIds: string[] | null): Promise<DerivedRole[]> {
  const { rows } = await trx.raw<{ rows: DerivedRole[] }>(
    `select u.id, u.email, u.status, u.role_id as "roleId",
            coalesce(
              (select g.role_id from scim_group_members m
                 join scim_groups g on g.id = m.group_id
                 join roles r on r.id = g.role_id
                where m.user_id = u.id and r.audience = ${AUDIENCE_SQL}
                ${FITTING_ORDER} limit 1),
              (select f.id from roles f
                where f.key = case u.kind when 'standard' then '${FALLBACK_ROLE.standard}' else '${FALLBACK_ROLE.client}' end
                  and f.audience = ${AUDIENCE_SQL})
            ) as target
       from users u
      where ${userIds ? 'u.id = any(?::uuid[]) and' : ''} u.scim_linked and u.kind <> 'api' and not u.is_system
      order by u.email`,
    userIds ? [userIds] : [],
  );
  const missing = rows.find((r) => !r.target);
  if (missing) throw new Error('A built-in fallback role is missing from this workspace.');
  return rows;
}

/** The role a new provisioned user starts with: it is in no group yet. */
export const initialRoleId = (trx: Trx, kind: SeatType) => fallbackRoleId(trx, kind);

/**
 * Re-applies group roles to these users (set-based reading, one role change per user whose role
 * moves). Each change goes through the role change routine: audited, sessions ended, refused when
 * the actor (a token acts with its creator's permissions) could not make it by hand, naming the
 * user. One change is never made: demoting the last active Owner. It is skipped, so that the
 * admin who assigns themself in the identity provider is linked, and reported by listGroups.
 */
export async function applyGroupRoles(scope: Scope, userIds: string[]) {
  if (!userIds.length) return 0;
  // The tenant row lock before reading who is an Owner, as every role change takes it.
  await lockTenant(scope.trx, scope.tenantId);
  const rows = await derivedRoles(scope.trx, userIds);
  let changed = 0;
  for (const row of rows) {
    if (row.target === row.roleId) continue;
    try {
      if (await isLastActiveOwner(scope.trx, scope.tenantId, row)) {
        // Skipped, but only for an actor who could have changed their role at all: an Admin's
        // token does not get to move the Owner's memberships because the demotion is skipped.
        await assertMayActOn(scope.trx, row, scope.permissions, 'change the role of');
        continue;
      }
      await setUserRole(scope, { id: row.id, roleId: row.target });
    } catch (error) {
      if (error instanceof AppError && error.code === 'FORBIDDEN') {
        throw new AppError('FORBIDDEN', `Nothing was changed: the role of ${row.email} would change. ${error.message}`, error.data);
      }
      throw error;
    }
    changed += 1;
  }
  return changed;
}

/**
 * `provisioning.keptRoles`: linked users whose role is not the one their groups give — the last
 * active Owner kept (never demoted), or a role changed by hand in Seatwise since. Derived, not stored.
 */
export async function keptRoles({ trx }: Scope) {
  const differing = (await derivedRoles(trx, null)).filter((r) => r.roleId !== r.target);
  if (!differing.length) return [];
  const roles = new Map((await trx('roles').whereIn('id', [...new Set(differing.flatMap((r) => [r.roleId, r.target]))]).select('id', 'key', 'name')).map((r) => [r.id, r]));
  const activeOwners = await trx('users as u').join('roles as r', 'r.id', 'u.roleId').where({ 'r.key': 'owner', 'u.status': 'active' }).pluck('u.id');
  return differing.slice(0, 1000).map((r) => {
    const role = roles.get(r.roleId)!;
    const groupRole = roles.get(r.target)!;
    const lastOwner = role.key === 'owner' && activeOwners.length === 1 && activeOwners[0] === r.id;
    return {
      email: r.email,
      roleName: role.name,
      groupRoleName: groupRole.name,
      message: lastOwner
        ? `Kept ${r.email} as Owner: the last active Owner is never demoted — map a group to Owner.`
        : `${r.email} has the ${role.name} role, given in Seatwise; their groups give ${groupRole.name}, applied at their next group change.`,
    };
  });
}

/** SPEC §4 `provisioning.groups`: each group with its member count, mapping, and what was skipped. */
export async function listGroups(scope: Scope) {
  const { trx } = scope;
  const groups = await trx('scim_groups as g')
    .leftJoin('roles as r', 'r.id', 'g.roleId')
    .orderByRaw('g.priority nulls last, lower(g.display_name)')
    .select('g.id', 'g.displayName', 'g.roleId', 'g.priority', 'r.name as roleName', 'r.audience as roleAudience')
    .select(trx.raw('(select count(*)::int from scim_group_members m where m.group_id = g.id) as members'));
  // Members whose kind the mapped role does not fit: the mapping is skipped for them.
  const { rows: skipped } = await trx.raw<{ rows: { groupId: string; email: string; kind: SeatType }[] }>(
    `select m.group_id as "groupId", u.email, u.kind
       from scim_group_members m
       join scim_groups g on g.id = m.group_id
       join roles r on r.id = g.role_id
       join users u on u.id = m.user_id
      where r.audience <> case u.kind when 'standard' then 'internal'::role_audience when 'client' then 'client'::role_audience else 'api'::role_audience end
      order by u.email limit 1000`,
  );
  return groups.map((g) => ({
    id: g.id,
    displayName: g.displayName,
    members: g.members as number,
    roleId: g.roleId,
    roleName: g.roleName as string | null,
    priority: g.priority,
    skipped: skipped.filter((s) => s.groupId === g.id).map((s) => ({ email: s.email, kind: s.kind })),
  }));
}

/** An admin maps a group to a role (or unmaps it): members' roles follow at once. */
export async function mapGroup(scope: Scope, input: z.output<typeof mapGroupInput>) {
  const { trx } = scope;
  // The tenant row lock before the group's, in the order the SCIM group writes take them.
  await lockTenant(trx, scope.tenantId);
  const group = await trx('scim_groups').where({ id: input.groupId }).forNoKeyUpdate().first();
  if (!group) throw new AppError('NOT_FOUND', 'Group not found', { field: 'groupId' });
  const role = input.roleId ? await trx('roles').where({ id: input.roleId }).first('id', 'key', 'name', 'audience', 'permissions') : null;
  if (input.roleId && !role) throw new AppError('NOT_FOUND', 'Role not found', { field: 'roleId' });
  if (role?.audience === 'api') throw new AppError('BAD_REQUEST', 'API roles are for API users, which the directory does not provision.', { field: 'roleId' });
  // A mapping grants its role to whoever the directory puts in the group later: nobody maps a
  // role they could not give, nor changes a mapping to a role they could not give (even empty).
  if (role) assertCanGrant(role, scope.permissions);
  if (group.roleId && group.roleId !== role?.id) {
    const mapped = await trx('roles').where({ id: group.roleId }).first('id', 'key', 'name', 'audience', 'permissions');
    if (mapped) assertCanGrant(mapped, scope.permissions);
  }
  let priority = input.priority ?? group.priority;
  if (priority === null && role) {
    const [{ max }] = await trx('scim_groups').max<{ max: number | null }[]>('priority as max');
    priority = Math.min(1000, (max ?? 0) + 1);
  }
  // Priorities decide which group's role a person in several gets: a tie would decide by age, unseen.
  const taken = role && priority !== null ? await trx('scim_groups').where({ priority }).whereNotNull('roleId').whereNot({ id: group.id }).first('displayName') : undefined;
  if (taken) {
    throw new AppError('BAD_REQUEST', `Priority ${priority} is already ${taken.displayName}’s. Give each mapped group its own priority (1 is first).`, { field: 'priority' });
  }
  await trx('scim_groups').where({ id: group.id }).update({ roleId: role?.id ?? null, priority: role ? priority : null, updatedAt: scope.now });
  await writeAudit({
    trx,
    tenantId: scope.tenantId,
    actor: scope.actor,
    action: 'provisioning.group_mapped',
    target: { type: 'scim_group', id: group.id },
    before: { roleId: group.roleId, priority: group.priority },
    after: { displayName: group.displayName, roleId: role?.id ?? null, role: role?.name ?? null, priority: role ? priority : null },
    ip: scope.ip,
    at: scope.now,
  });
  const members = await trx('scim_group_members').where({ groupId: group.id }).select('userId').then((rows) => rows.map((r) => r.userId));
  await applyGroupRoles(scope, members);
  return { id: group.id, roleId: role?.id ?? null, priority: role ? priority : null };
}
