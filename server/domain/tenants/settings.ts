import type { z } from 'zod';
import type { updateSettingsInput } from '../../contract/tenant';
import { writeAudit } from '../audit/write';
import type { Scope } from '../scope';
import { getTenant, TENANT_COLUMNS } from './tenants';

export async function updateTenantSettings(scope: Scope, changes: z.output<typeof updateSettingsInput>) {
  const current = await getTenant({ trx: scope.trx, tenantId: scope.tenantId });
  const before: Record<string, unknown> = current;
  const diff = Object.fromEntries(Object.entries(changes).filter(([k, v]) => v !== undefined && before[k] !== v));
  if (!Object.keys(diff).length) return current;
  const [tenant] = await scope.trx('tenants').where({ id: scope.tenantId }).update({ ...diff, updatedAt: scope.now }).returning(TENANT_COLUMNS);
  await writeAudit({
    trx: scope.trx,
    tenantId: scope.tenantId,
    actor: scope.actor,
    action: 'tenant.settings_updated',
    target: { type: 'tenant', id: scope.tenantId },
    before: Object.fromEntries(Object.keys(diff).map((k) => [k, before[k]])),
    after: diff,
    ip: scope.ip,
    at: scope.now,
  });
  return tenant;
}
