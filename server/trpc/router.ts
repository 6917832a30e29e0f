import { authRouter } from '../routers/auth/index';
import { seatsRouter } from '../routers/seats/index';
import { tenantRouter } from '../routers/tenant/index';
import { createCallerFactory, router } from './trpc';

/** The public contract: router and procedure names are SPEC §4's. */
export const appRouter = router({
  auth: authRouter,
  tenant: tenantRouter,
  seats: seatsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
export type AppCaller = ReturnType<typeof createCaller>;
