import { updateSettingsInput } from '../../contract/tenant';
import { updateTenantSettings } from '../../domain/tenants/settings';
import { getTenant } from '../../domain/tenants/tenants';
import { permissionProcedure, router, tenantProcedure } from '../trpc';

export const tenantRouter = router({
  get: tenantProcedure.query(({ ctx }) => getTenant({ trx: ctx.trx, tenantId: ctx.tenantId })),
  updateSettings: permissionProcedure('settings.manage')
    .input(updateSettingsInput)
    .mutation(({ ctx, input }) => updateTenantSettings(ctx.scope, input)),
});
