import { signup } from '../../domain/tenants/signup';
import { publicProcedure } from '../trpc';
import { setSessionCookie } from '../session-cookie';
import { signupInput } from '../../contract/auth-signup';

export const signupProcedure = publicProcedure.input(signupInput).mutation(async ({ ctx, input }) => {
  const { tenant, user, session } = await signup({
    db: ctx.db,
    env: ctx.env,
    jobs: ctx.jobs,
    now: ctx.now(),
    meta: ctx.meta,
    input,
  });
  setSessionCookie(ctx, session);
  return { tenant, user };
});
