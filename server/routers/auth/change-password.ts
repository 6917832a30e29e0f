import { changePassword } from '../../domain/password-changes';
import { sessionProcedure } from '../../trpc/trpc';
import { changePasswordInput } from './password.types';

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
