import { changePassword } from '../../domain/auth/password-changes';
import { sessionProcedure } from '../trpc';
import { changePasswordInput } from '../../contract/auth-passwords';

export const changePasswordProcedure = sessionProcedure
  .meta({ allowedWhilePasswordChangeRequired: true })
  .input(changePasswordInput)
  .mutation(async ({ ctx, input }) => ({
    user: await changePassword({
      trx: ctx.trx,
      tenantId: ctx.tenantId,
      userId: ctx.actor.userId,
      sessionId: ctx.actor.sessionId,
      now: ctx.now(),
      meta: ctx.meta,
      input,
    }),
  }));
