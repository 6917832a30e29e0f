import { router } from '../../trpc/trpc';
import { getTenantProcedure } from './get';

export const tenantRouter = router({
  get: getTenantProcedure,
});
