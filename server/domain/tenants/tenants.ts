import type { Trx } from '../../../db/index';
import { AppError } from '../../shared/errors';

export const TENANT_COLUMNS = [
  'id', 'slug', 'name', 'inactivityDays', 'inactivityWarningDays', 'lockoutThreshold', 'sessionIdleMinutes',
  'sessionAbsoluteHours', 'createdAt',
] as const;

export async function getTenant({ trx, tenantId }: { trx: Trx; tenantId: string }) {
  const tenant = await trx('tenants').where({ id: tenantId }).first(...TENANT_COLUMNS);
  if (!tenant) throw new AppError('NOT_FOUND', 'Workspace not found');
  return tenant;
}
