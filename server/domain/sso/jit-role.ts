import type { Trx } from '../../../db/index';

/**
 * SPEC "Just-in-time provisioning": the role of the person's highest mapped group, or Read Only.
 * Group → role mappings belong to directory provisioning (built alongside); until it is merged
 * every person created at sign-in gets Read Only. This is the one place to wire the mapping in.
 */
export async function jitRoleId(trx: Trx, { groupNames }: { groupNames: string[] }): Promise<string> {
  void groupNames;
  const role = await trx('roles').where({ key: 'read_only', audience: 'internal' }).first('id');
  if (!role) throw new Error('The built-in Read Only role is missing from this workspace.');
  return role.id;
}
