import type { Trx } from '../../../db/index';
import { emailSchema, isUuid } from '../../contract/fields';
import { SCIM, scimUserInput, type ScimPatchInput, type ScimUserInput } from '../../contract/scim';
import { SEAT_HOLDING, type UserStatus } from '../../contract/statuses';
import { AppError } from '../../shared/errors';
import { writeAudit } from '../audit/write';
import type { Scope } from '../scope';
import { hasSingleSignOn } from '../sso/enabled';
import { createOneUser } from '../users/create';
import { assertMayActOn, findRole, lockTenant } from '../users/rules';
import { changeStatusByAdmin } from '../users/status';
import { filterToSql, type FilterAttributes } from './filter';
import { applyGroupRoles, initialRoleId } from './group-roles';
import { applyPatch, readPatched } from './patch';
import { userResource } from './resources';

/**
 * SPEC "Directory provisioning (SCIM 2.0)", users. The SCIM id is the Seatwise user id; only users
 * the directory manages (`scim_linked`) exist for SCIM. Every status change and seat claim goes
 * through the status module, so the seat rule and the last-Owner rule hold here as on the form.
 */

export const SCIM_USER_COLUMNS = [
  'id', 'kind', 'email', 'firstName', 'lastName', 'displayName', 'status', 'locale', 'timeZone', 'roleId',
  'externalId', 'scimUserName', 'department', 'employeeNumber', 'scimLinked', 'createdAt', 'updatedAt',
] as const;

export type ScimUserRow = {
  id: string;
  kind: 'standard' | 'client' | 'api';
  email: string;
  firstName: string;
  lastName: string;
  displayName: string;
  status: UserStatus;
  locale: string;
  timeZone: string;
  roleId: string;
  externalId: string | null;
  scimUserName: string | null;
  department: string | null;
  employeeNumber: string | null;
  scimLinked: boolean;
  createdAt: Date;
  updatedAt: Date;
  groups: { value: string; display: string }[];
};

export const USER_FILTER_ATTRIBUTES: FilterAttributes = {
  id: { type: 'uuid', sql: 'users.id' },
  userName: { type: 'text', sql: 'coalesce(users.scim_user_name, users.email)' },
  externalId: { type: 'text', sql: 'users.external_id', caseExact: true },
  displayName: { type: 'text', sql: 'users.display_name' },
  'name.givenName': { type: 'text', sql: 'users.first_name' },
  'name.familyName': { type: 'text', sql: 'users.last_name' },
  'emails[]': { type: 'text', sql: 'users.email' },
  'emails.value': { type: 'text', sql: 'users.email' },
  // The one email Seatwise keeps is the work email.
  'emails.type': { type: 'text', sql: `'work'` },
  active: { type: 'active', sql: 'users.status' },
  'meta.created': { type: 'time', sql: 'users.created_at' },
  'meta.lastModified': { type: 'time', sql: 'users.updated_at' },
};

/** An email as the form accepts it (server/contract/fields.ts), so no look-alike gets in by SCIM. */
const isEmail = (value: string) => emailSchema.safeParse(value).success;

/** SPEC: `userName` is the email; an IdP whose userName is not one (a UPN) sends the work email too. */
export function emailOf(input: ScimUserInput) {
  if (isEmail(input.userName)) return emailSchema.parse(input.userName);
  const emails = input.emails ?? [];
  const chosen = emails.find((e) => e.primary) ?? emails.find((e) => e.type?.toLowerCase() === 'work') ?? emails[0];
  if (chosen?.value && isEmail(chosen.value)) return emailSchema.parse(chosen.value);
  throw new AppError('BAD_REQUEST', 'userName must be the person’s email address (or send it in emails as the work email).', { scimType: 'invalidValue' });
}

function kindOf(input: ScimUserInput): 'standard' | 'client' {
  return input.userType?.toLowerCase() === 'client' ? 'client' : 'standard';
}

/** The Seatwise fields a SCIM user sets (names are required in Seatwise: derived when absent). */
function valuesOf(input: ScimUserInput, email: string) {
  const local = email.split('@')[0];
  const formatted = input.name?.formatted?.trim() || input.displayName?.trim() || '';
  const firstName = input.name?.givenName?.trim() || formatted.split(/\s+/)[0] || local;
  const lastName = input.name?.familyName?.trim() || formatted.split(/\s+/).slice(1).join(' ') || '';
  const enterprise = input[SCIM.enterprise];
  return {
    email,
    firstName: firstName.slice(0, 100),
    lastName: lastName.slice(0, 100),
    displayName: (input.displayName?.trim() || `${firstName} ${lastName}`.trim() || email).slice(0, 200),
    externalId: input.externalId ?? null,
    // SPEC: userName is the email; an identifier that is not one is kept as the IdP sent it.
    scimUserName: isEmail(input.userName) ? null : input.userName,
    ...(input.locale ? { locale: input.locale } : {}),
    ...(input.timezone ? { timeZone: input.timezone } : {}),
    ...(enterprise !== undefined ? { department: enterprise?.department ?? null, employeeNumber: enterprise?.employeeNumber ?? null } : {}),
  };
}

async function withGroups(trx: Trx, users: Omit<ScimUserRow, 'groups'>[]): Promise<ScimUserRow[]> {
  if (!users.length) return [];
  const memberships = await trx('scim_group_members as m')
    .join('scim_groups as g', 'g.id', 'm.groupId')
    .whereIn('m.userId', users.map((u) => u.id))
    .orderBy('g.displayName')
    .select('m.userId', 'g.id', 'g.displayName');
  return users.map((u) => ({ ...u, groups: memberships.filter((m) => m.userId === u.id).map((m) => ({ value: m.id, display: m.displayName })) }));
}

const linkedUsers = (trx: Trx) => trx('users').where({ scimLinked: true, isSystem: false }).whereNot({ kind: 'api' });

export async function getScimUser(scope: Scope, id: string): Promise<ScimUserRow> {
  const user = isUuid(id) ? await linkedUsers(scope.trx).where({ id }).first(...SCIM_USER_COLUMNS) : undefined;
  if (!user) throw new AppError('NOT_FOUND', `User ${id} not found`);
  return (await withGroups(scope.trx, [user]))[0];
}

export async function listScimUsers(scope: Scope, { filter, startIndex, count }: { filter?: string; startIndex: number; count: number }) {
  const query = linkedUsers(scope.trx);
  if (filter) {
    const condition = filterToSql(filter, USER_FILTER_ATTRIBUTES);
    query.whereRaw(condition.sql, condition.bindings as never[]);
  }
  const [{ total }] = await query.clone().count<{ total: string }[]>('* as total');
  const rows = count === 0 ? [] : await query.orderBy('createdAt').orderBy('id').offset(startIndex - 1).limit(count).select(...SCIM_USER_COLUMNS);
  return { total: Number(total), users: await withGroups(scope.trx, rows) };
}

/** Moves the user where SCIM `active` says, through the status module. */
async function applyActive(scope: Scope, user: { id: string; status: UserStatus }, active: boolean | null | undefined) {
  if (active === undefined || active === null) return;
  if (active) {
    if (user.status === 'banned') {
      throw new AppError('FORBIDDEN', 'This user was banned by an administrator in Seatwise; the directory cannot reactivate them. Ask a Seatwise administrator to unban them.', { reason: 'BANNED' });
    }
    if (user.status === 'invited' || user.status === 'active') return;
    await changeStatusByAdmin(scope, { id: user.id, status: 'active' }, { signsInThroughIdp: await hasSingleSignOn(scope.trx) });
    return;
  }
  if (!SEAT_HOLDING.includes(user.status)) return;
  await changeStatusByAdmin(scope, { id: user.id, status: 'deactivated', reason: 'Deactivated in the directory' });
}

/**
 * Writes the identity fields that differ. Changing someone's email, names or external id is acting
 * on them: refused (nothing written) when their role holds a permission the token lacks, or an
 * Admin's token could point an Owner's email at itself.
 */
async function updateValues(scope: Scope, current: Record<string, unknown> & { id: string; roleId: string }, values: Record<string, unknown>, action = 'user.updated') {
  const changed = Object.fromEntries(Object.entries(values).filter(([k, v]) => current[k] !== v));
  if (!Object.keys(changed).length) return;
  await assertMayActOn(scope.trx, current, scope.permissions, 'change the identity fields of');
  await scope.trx('users').where({ id: current.id }).update({ ...changed, updatedAt: scope.now });
  await writeAudit({
    trx: scope.trx,
    tenantId: scope.tenantId,
    actor: scope.actor,
    action,
    target: { type: 'user', id: current.id },
    before: Object.fromEntries(Object.keys(changed).map((k) => [k, current[k]])),
    after: changed,
    ip: scope.ip,
    at: scope.now,
  });
}

/**
 * POST /Users. Never a second Seatwise user for one email: a user created by a form or an import,
 * or unlinked by DELETE, is linked (and reactivated through the seat rule if it holds no seat).
 */
export async function createScimUser(scope: Scope, input: ScimUserInput) {
  const { trx, tenantId, now } = scope;
  const email = emailOf(input);
  const kind = kindOf(input);
  const values = valuesOf(input, email);
  const found = await trx('users').whereRaw('lower(email) = lower(?)', [email]).first('id');
  // Linking changes an existing user: the tenant row lock first, then the user's, in the order
  // every status and role change takes them (server/domain/users/rules.ts lockTenant).
  if (found) await lockTenant(trx, tenantId);
  const existing = found ? await trx('users').where({ id: found.id }).forNoKeyUpdate().first(...SCIM_USER_COLUMNS, 'isSystem') : undefined;
  if (existing) {
    if (existing.scimLinked || existing.kind === 'api' || existing.isSystem) {
      throw new AppError('CONFLICT', `A user with userName ${email} already exists${existing.scimLinked ? ` (id ${existing.id})` : ''}.`, { scimType: 'uniqueness' });
    }
    if (input.userType && existing.kind !== kind) {
      throw new AppError('BAD_REQUEST', `${email} exists in Seatwise as a ${existing.kind} user; userType cannot change it.`, { scimType: 'mutability' });
    }
    if (existing.status === 'banned') {
      throw new AppError('FORBIDDEN', 'This user was banned by an administrator in Seatwise; the directory cannot link them. Ask a Seatwise administrator to unban them.', { reason: 'BANNED' });
    }
    // Linking hands the user to the directory (its fields, status and role): acting on them.
    await assertMayActOn(trx, existing, scope.permissions, 'link');
    await updateValues(scope, existing, { ...values, scimLinked: true, provisionedAt: now }, 'user.linked');
    await applyActive(scope, existing, input.active ?? true);
    await applyGroupRoles(scope, [existing.id]);
    return { user: await getScimUser(scope, existing.id), created: false };
  }

  // With single sign-on the person signs in through the IdP: created active, no invitation (SPEC).
  const user = await createOneUser(scope, {
    kind,
    role: await findRole(trx, await initialRoleId(trx, kind)),
    signsInThroughIdp: await hasSingleSignOn(trx),
    timeZone: 'UTC',
    locale: 'en',
    userName: null,
    samlNameId: null,
    ...values,
    scimLinked: true,
    provisionedAt: now,
  });
  if (input.active === false) await applyActive(scope, user, false);
  return { user: await getScimUser(scope, user.id), created: true };
}

/** PUT /Users/:id: the whole user as the IdP holds it. */
export async function replaceScimUser(scope: Scope, id: string, input: ScimUserInput) {
  await lockTenant(scope.trx, scope.tenantId);
  const current = await getScimUser(scope, id);
  if (input.userType && kindOf(input) !== current.kind) {
    throw new AppError('BAD_REQUEST', `userType cannot change: this is a ${current.kind === 'client' ? 'Client' : 'Standard'} user.`, { scimType: 'mutability' });
  }
  const { groups: _groups, ...row } = current;
  await updateValues(scope, row, valuesOf(input, emailOf(input)));
  await applyActive(scope, current, input.active);
  return getScimUser(scope, id);
}

/** DELETE /Users/:id: deactivated (ending sessions) and unlinked; Seatwise keeps the user (SPEC). */
export async function deleteScimUser(scope: Scope, id: string) {
  await lockTenant(scope.trx, scope.tenantId);
  const current = await getScimUser(scope, id);
  // Unlinking ends the user's access and group roles: refused on someone the token may not act on.
  await assertMayActOn(scope.trx, current, scope.permissions, 'remove from the directory');
  await applyActive(scope, current, false);
  await scope.trx('scim_group_members').where({ userId: id }).delete();
  await scope.trx('users').where({ id }).update({ scimLinked: false, updatedAt: scope.now });
  await writeAudit({
    trx: scope.trx,
    tenantId: scope.tenantId,
    actor: scope.actor,
    action: 'user.unlinked',
    target: { type: 'user', id },
    before: { scimLinked: true, externalId: current.externalId },
    after: { scimLinked: false },
    ip: scope.ip,
    at: scope.now,
  });
}

/** PATCH /Users/:id: the operations applied to the user as served, then read like a PUT. */
export async function patchScimUser(scope: Scope, id: string, patch: ScimPatchInput, baseUrl: string) {
  await lockTenant(scope.trx, scope.tenantId);
  const current = await getScimUser(scope, id);
  const patched = applyPatch(userResource(current, baseUrl), patch);
  return replaceScimUser(scope, id, readPatched(scimUserInput, patched));
}
