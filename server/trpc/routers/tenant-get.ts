import { getTenant } from '../../domain/tenants/tenants';
import { tenantProcedure } from '../trpc';

export const getTenantProcedure = tenantProcedure.query(({ ctx }) => getTenant({ trx: ctx.trx, tenantId: ctx.tenantId }));
