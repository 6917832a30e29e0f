import { createScimTokenInput, mapGroupInput, revokeScimTokenInput } from '../../contract/scim';
import { keptRoles, listGroups, mapGroup } from '../../domain/provisioning/group-roles';
import { createScimToken, listScimTokens, revokeScimToken } from '../../domain/provisioning/tokens';
import { permissionProcedure, router } from '../trpc';

const manage = permissionProcedure('settings.manage');

/** SPEC §4 `provisioning`: tokens and the mapping of directory groups to roles. */
export const provisioningRouter = router({
  createToken: manage.input(createScimTokenInput).mutation(({ ctx, input }) => createScimToken(ctx.scope, input)),
  listTokens: manage.query(({ ctx }) => listScimTokens(ctx.scope)),
  revokeToken: manage.input(revokeScimTokenInput).mutation(({ ctx, input }) => revokeScimToken(ctx.scope, input)),
  groups: manage.query(({ ctx }) => listGroups(ctx.scope)),
  keptRoles: manage.query(({ ctx }) => keptRoles(ctx.scope)),
  mapGroup: manage.input(mapGroupInput).mutation(({ ctx, input }) => mapGroup(ctx.scope, input)),
});
