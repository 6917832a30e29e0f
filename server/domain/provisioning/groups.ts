import type { Trx } from '../../../db/index';
import { isUuid } from '../../contract/fields';
import { scimGroupInput, type ScimGroupInput, type ScimPatchInput } from '../../contract/scim';
import { AppError } from '../../shared/errors';
import { writeAudit } from '../audit/write';
import type { Scope } from '../scope';
import { filterToSql, type FilterAttributes } from './filter';
import { lockTenant } from '../users/rules';
import { applyGroupRoles } from './group-roles';
import { applyPatch, readPatched } from './patch';
import { groupResource, type ScimGroupView } from './resources';

/**
 * SPEC "Directory provisioning": groups and their members are stored as the IdP pushes them;
 * members' roles follow at once from the groups' mappings (group-roles.ts).
 */

export const GROUP_FILTER_ATTRIBUTES: FilterAttributes = {
  id: { type: 'uuid', sql: 'scim_groups.id' },
  displayName: { type: 'text', sql: 'scim_groups.display_name' },
  externalId: { type: 'text', sql: 'scim_groups.external_id', caseExact: true },
  'members[]': { type: 'member', sql: 'exists (select 1 from scim_group_members m where m.group_id = scim_groups.id and {condition})', value: 'm.user_id::text' },
  'members.value': { type: 'member', sql: 'exists (select 1 from scim_group_members m where m.group_id = scim_groups.id and {condition})', value: 'm.user_id::text' },
  'meta.created': { type: 'time', sql: 'scim_groups.created_at' },
  'meta.lastModified': { type: 'time', sql: 'scim_groups.updated_at' },
};

const GROUP_COLUMNS = ['id', 'displayName', 'externalId', 'createdAt', 'updatedAt'] as const;

async function withMembers(trx: Trx, groups: Omit<ScimGroupView, 'members'>[], include: boolean): Promise<ScimGroupView[]> {
  if (!include || !groups.length) return groups.map((g) => ({ ...g, members: [] }));
  const members = await trx('scim_group_members as m')
    .join('users as u', 'u.id', 'm.userId')
    .whereIn('m.groupId', groups.map((g) => g.id))
    .orderBy('u.displayName')
    .select('m.groupId', 'u.id', 'u.displayName');
  return groups.map((g) => ({ ...g, members: members.filter((m) => m.groupId === g.id).map((m) => ({ value: m.id, display: m.displayName })) }));
}

export async function getScimGroup(scope: Scope, id: string, { members = true } = {}) {
  const group = isUuid(id) ? await scope.trx('scim_groups').where({ id }).first(...GROUP_COLUMNS) : undefined;
  if (!group) throw new AppError('NOT_FOUND', `Group ${id} not found`);
  return (await withMembers(scope.trx, [group], members))[0];
}

export async function listScimGroups(scope: Scope, { filter, startIndex, count, members }: { filter?: string; startIndex: number; count: number; members: boolean }) {
  const query = scope.trx('scim_groups');
  if (filter) {
    const condition = filterToSql(filter, GROUP_FILTER_ATTRIBUTES);
    query.whereRaw(condition.sql, condition.bindings as never[]);
  }
  const [{ total }] = await query.clone().count<{ total: string }[]>('* as total');
  const rows = count === 0 ? [] : await query.orderBy('createdAt').orderBy('id').offset(startIndex - 1).limit(count).select(...GROUP_COLUMNS);
  return { total: Number(total), groups: await withMembers(scope.trx, rows, members) };
}

/** Members must be users the directory provisioned in this workspace. */
async function checkMembers(trx: Trx, ids: string[]) {
  const unique = [...new Set(ids)];
  const bad = unique.find((id) => !isUuid(id));
  if (bad) throw new AppError('BAD_REQUEST', `Member ${bad} is not a user of this workspace.`, { scimType: 'invalidValue' });
  const found = unique.length ? (await trx('users').whereIn('id', unique).where({ scimLinked: true }).select('id')).map((r) => r.id) : [];
  const missing = unique.find((id) => !found.includes(id));
  if (missing) throw new AppError('BAD_REQUEST', `Member ${missing} is not a user provisioned in this workspace.`, { scimType: 'invalidValue' });
  return unique;
}

/** Sets the group's members to `ids`; the users whose membership changed get their roles again. */
async function setMembers(scope: Scope, groupId: string, ids: string[]) {
  const { trx, tenantId } = scope;
  const wanted = await checkMembers(trx, ids);
  const current = (await trx('scim_group_members').where({ groupId }).select('userId')).map((r) => r.userId);
  const added = wanted.filter((id) => !current.includes(id));
  const removed = current.filter((id) => !wanted.includes(id));
  if (removed.length) await trx('scim_group_members').where({ groupId }).whereIn('userId', removed).delete();
  if (added.length) await trx('scim_group_members').insert(added.map((userId) => ({ tenantId, groupId, userId })));
  return [...added, ...removed];
}

async function audit(scope: Scope, action: string, id: string, before: unknown, after: unknown) {
  await writeAudit({ trx: scope.trx, tenantId: scope.tenantId, actor: scope.actor, action, target: { type: 'scim_group', id }, before, after, ip: scope.ip, at: scope.now });
}

/*
 * Every group write takes the tenant row lock first: adding a member key-locks the user's row and
 * the role changes that follow take the tenant lock, while a user's status change takes the tenant
 * lock and then the user's row. Taking the tenant first here makes them queue, not deadlock.
 */
export async function createScimGroup(scope: Scope, input: ScimGroupInput) {
  await lockTenant(scope.trx, scope.tenantId);
  const [group] = await scope
    .trx('scim_groups')
    .insert({ tenantId: scope.tenantId, displayName: input.displayName, externalId: input.externalId ?? null, createdAt: scope.now, updatedAt: scope.now })
    .returning(GROUP_COLUMNS);
  const changed = await setMembers(scope, group.id, (input.members ?? []).map((m) => m.value));
  await audit(scope, 'provisioning.group_created', group.id, undefined, { displayName: group.displayName, members: changed.length });
  await applyGroupRoles(scope, changed);
  return getScimGroup(scope, group.id);
}

/** PUT, and PATCH once applied: name, external id and members as given. */
export async function replaceScimGroup(scope: Scope, id: string, input: ScimGroupInput, { keepMembers = false } = {}) {
  await lockTenant(scope.trx, scope.tenantId);
  const current = await getScimGroup(scope, id, { members: false });
  await scope.trx('scim_groups').where({ id }).forNoKeyUpdate().first('id');
  const renamed = current.displayName !== input.displayName || current.externalId !== (input.externalId ?? null);
  if (renamed) await scope.trx('scim_groups').where({ id }).update({ displayName: input.displayName, externalId: input.externalId ?? null, updatedAt: scope.now });
  const changed = keepMembers ? [] : await setMembers(scope, id, (input.members ?? []).map((m) => m.value));
  if (changed.length) await scope.trx('scim_groups').where({ id }).update({ updatedAt: scope.now });
  // A request that changes nothing (an IdP re-sending the group) writes nothing, not even an audit row.
  if (renamed || changed.length) {
    await audit(scope, 'provisioning.group_updated', id, { displayName: current.displayName }, { displayName: input.displayName, membersChanged: changed.length });
  }
  await applyGroupRoles(scope, changed);
  return getScimGroup(scope, id);
}

export async function patchScimGroup(scope: Scope, id: string, patch: ScimPatchInput, baseUrl: string) {
  await lockTenant(scope.trx, scope.tenantId);
  const current = await getScimGroup(scope, id);
  const patched = applyPatch(groupResource(current, baseUrl), patch);
  return replaceScimGroup(scope, id, readPatched(scimGroupInput, patched));
}

export async function deleteScimGroup(scope: Scope, id: string) {
  await lockTenant(scope.trx, scope.tenantId);
  const current = await getScimGroup(scope, id);
  await scope.trx('scim_groups').where({ id }).delete();
  await audit(scope, 'provisioning.group_deleted', id, { displayName: current.displayName, members: current.members.length }, undefined);
  await applyGroupRoles(scope, current.members.map((m) => m.value));
}
