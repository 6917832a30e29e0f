import { apiKeysRouter } from '../routers/api-keys/index';
import { auditRouter } from '../routers/audit/index';
import { billingRouter } from '../routers/billing/index';
import { authRouter } from '../routers/auth/index';
import { rolesRouter } from '../routers/roles/index';
import { usersRouter } from '../routers/users/index';
import { seatsRouter } from '../routers/seats/index';
import { tenantRouter } from '../routers/tenant/index';
import { createCallerFactory, router } from './trpc';

/** The public contract: router and procedure names are SPEC §4's. */
export const appRouter = router({
  auth: authRouter,
  tenant: tenantRouter,
  seats: seatsRouter,
  users: usersRouter,
  roles: rolesRouter,
  audit: auditRouter,
  apiKeys: apiKeysRouter,
  billing: billingRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
export type AppCaller = ReturnType<typeof createCaller>;
