import { resetPassword } from '../../domain/auth/password-changes';
import { publicProcedure } from '../trpc';
import { resetPasswordInput } from '../../contract/auth-passwords';
import { setSessionCookie } from '../session-cookie';

export const resetPasswordProcedure = publicProcedure.input(resetPasswordInput).mutation(async ({ ctx, input }) => {
  const { user, session } = await resetPassword({ db: ctx.db, ownerDb: ctx.ownerDb, now: ctx.now(), meta: ctx.meta, input });
  setSessionCookie(ctx, session);
  return { user };
});
