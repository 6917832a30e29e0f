import { createApiKey, listApiKeys, revokeApiKey } from '../../domain/api-keys';
import { permissionProcedure, router } from '../../trpc/trpc';
import { createApiKeyInput, listApiKeysInput, revokeApiKeyInput } from './api-keys.types';

const manage = permissionProcedure('users.manage');

export const apiKeysRouter = router({
  create: manage.input(createApiKeyInput).mutation(({ ctx, input }) => createApiKey(ctx.scope, input)),
  list: manage.input(listApiKeysInput).query(({ ctx, input }) => listApiKeys(ctx.scope, input)),
  revoke: manage.input(revokeApiKeyInput).mutation(({ ctx, input }) => revokeApiKey(ctx.scope, input)),
});
