import { updateTenantSettings } from '../../domain/tenants/settings';
import { permissionProcedure, router } from '../trpc';
import { getTenantProcedure } from './tenant-get';
import { updateSettingsInput } from '../../contract/tenant';

export const tenantRouter = router({
  get: getTenantProcedure,
  updateSettings: permissionProcedure('settings.manage')
    .input(updateSettingsInput)
    .mutation(({ ctx, input }) => updateTenantSettings(ctx.scope, input)),
});
