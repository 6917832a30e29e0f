import { getTenant } from '../../domain/tenants';
import { USER_COLUMNS, type PublicUser } from '../../domain/users';
import { tenantProcedure } from '../../trpc/trpc';

export const meProcedure = tenantProcedure.meta({ allowedWhilePasswordChangeRequired: true }).query(async ({ ctx }) => {
  const user = (await ctx.trx('users').where({ id: ctx.actor.userId }).first(USER_COLUMNS)) as PublicUser;
  const tenant = await getTenant({ trx: ctx.trx, tenantId: ctx.tenantId });
  return { user, tenant, permissions: [...ctx.permissions].sort() };
});
