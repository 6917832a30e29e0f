import { createRole, listRoles, updateRole } from '../../domain/roles/manage';
import { permissionProcedure, router } from '../trpc';
import { createRoleInput, updateRoleInput } from '../../contract/roles';

export const rolesRouter = router({
  list: permissionProcedure('users.read').query(({ ctx }) => listRoles(ctx.trx)),
  create: permissionProcedure('roles.manage').input(createRoleInput).mutation(({ ctx, input }) => createRole(ctx.scope, input)),
  update: permissionProcedure('roles.manage').input(updateRoleInput).mutation(({ ctx, input }) => updateRole(ctx.scope, input)),
});
