import { updateTenantSettings } from '../../domain/tenant-settings';
import { permissionProcedure, router } from '../../trpc/trpc';
import { getTenantProcedure } from './get';
import { updateSettingsInput } from './settings.types';

export const tenantRouter = router({
  get: getTenantProcedure,
  updateSettings: permissionProcedure('settings.manage')
    .input(updateSettingsInput)
    .mutation(({ ctx, input }) => updateTenantSettings(ctx.scope, input)),
});
