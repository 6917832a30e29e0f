import { getTenant } from '../../domain/tenants';
import { tenantProcedure } from '../../trpc/trpc';

export const getTenantProcedure = tenantProcedure.query(({ ctx }) => getTenant({ trx: ctx.trx, tenantId: ctx.tenantId }));
