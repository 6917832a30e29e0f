import { signIn } from '../../domain/auth/sign-in';
import { publicProcedure } from '../trpc';
import { loginInput } from '../../contract/auth-login';
import { setSessionCookie } from '../session-cookie';

export const loginProcedure = publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
  const { user, session } = await signIn({
    db: ctx.db,
    ownerDb: ctx.ownerDb,
    env: ctx.env,
    jobs: ctx.jobs,
    now: ctx.now(),
    meta: ctx.meta,
    input,
    previousSessionToken: ctx.sessionToken ?? undefined,
  });
  setSessionCookie(ctx, session);
  return { user };
});
