import { signup } from '../../domain/signup';
import { publicProcedure } from '../../trpc/trpc';
import { setSessionCookie } from './session-cookie';
import { signupInput } from './signup.types';

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
