import { apiKeysRouter } from './routers/api-keys';
import { auditRouter } from './routers/audit';
import { billingRouter } from './routers/billing';
import { importsRouter } from './routers/imports';
import { provisioningRouter } from './routers/provisioning';
import { authRouter } from './routers/auth';
import { meRouter } from './routers/me';
import { rolesRouter } from './routers/roles';
import { usersRouter } from './routers/users';
import { seatsRouter } from './routers/seats';
import { tenantRouter } from './routers/tenant';
import { ssoRouter } from './routers/sso';
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
  me: meRouter,
  imports: importsRouter,
  provisioning: provisioningRouter,
  sso: ssoRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
export type AppCaller = ReturnType<typeof createCaller>;
