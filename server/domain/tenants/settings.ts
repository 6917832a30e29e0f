import type { z } from 'zod';
import type { updateSettingsInput } from '../../contract/tenant';
import { writeAudit } from '../audit/write';
import type { Scope } from '../scope';
import { getTenant, TENANT_COLUMNS } from './tenants';
import { changedFields } from '../audit/changes';

export async function updateTenantSettings(scope: Scope, changes: z.output<typeof updateSettingsInput>) {
  const current = await getTenant({ trx: scope.trx, tenantId: scope.tenantId });
  const { before, after, changed } = changedFields(current, changes);
  if (!changed) return current;
  const [tenant] = await scope.trx('tenants').where({ id: scope.tenantId }).update({ ...after, updatedAt: scope.now }).returning(TENANT_COLUMNS);
  await writeAudit({
    trx: scope.trx,
    tenantId: scope.tenantId,
    actor: scope.actor,
    action: 'tenant.settings_updated',
    target: { type: 'tenant', id: scope.tenantId },
    before,
    after,
    ip: scope.ip,
    at: scope.now,
  });
  return tenant;
}
