import { getTenant } from '../../domain/tenants/tenants';
import { USER_COLUMNS, type PublicUser } from '../../domain/users/columns';
import { tenantProcedure } from '../trpc';

export const meProcedure = tenantProcedure.meta({ allowedWhilePasswordChangeRequired: true }).query(async ({ ctx }) => {
  const user = (await ctx.trx('users').where({ id: ctx.actor.userId }).first(USER_COLUMNS)) as PublicUser;
  const tenant = await getTenant({ trx: ctx.trx, tenantId: ctx.tenantId });
  return { user, tenant, permissions: [...ctx.permissions].sort() };
});
