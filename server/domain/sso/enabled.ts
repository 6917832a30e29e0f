import type { Trx } from '../../../db/index';

/** Whether the scope's tenant signs in through an identity provider (RLS keeps it to the tenant). */
export async function hasSingleSignOn(trx: Trx): Promise<boolean> {
  const row = await trx('sso_connections').where({ enabled: true }).first('tenantId');
  return row !== undefined;
}
