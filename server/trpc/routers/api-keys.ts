import { createApiKey, listApiKeys, revokeApiKey } from '../../domain/api-keys/keys';
import { permissionProcedure, router } from '../trpc';
import { createApiKeyInput, listApiKeysInput, revokeApiKeyInput } from '../../contract/api-keys';

const manage = permissionProcedure('users.manage');

export const apiKeysRouter = router({
  create: manage.input(createApiKeyInput).mutation(({ ctx, input }) => createApiKey(ctx.scope, input)),
  list: manage.input(listApiKeysInput).query(({ ctx, input }) => listApiKeys(ctx.scope, input)),
  revoke: manage.input(revokeApiKeyInput).mutation(({ ctx, input }) => revokeApiKey(ctx.scope, input)),
});
