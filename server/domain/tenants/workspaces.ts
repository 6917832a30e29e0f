import type { Db } from '../../../db/index';

/**
 * A workspace address names no tenant until it is resolved, so this is one of the few look-ups
 * on the privileged connection. It returns the id only.
 */
export async function findWorkspace({ ownerDb, slug }: { ownerDb: Db; slug: string }) {
  const tenant = await ownerDb('tenants')
    .whereRaw('lower(slug) = ?', [slug.trim().toLowerCase()])
    .first('id');
  return (tenant?.id as string | undefined) ?? null;
}
