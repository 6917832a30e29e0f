import { deleteSession } from '../../domain/auth/sessions';
import { sessionProcedure } from '../trpc';
import { clearSessionCookie } from '../session-cookie';

export const logoutProcedure = sessionProcedure
  .meta({ allowedWhilePasswordChangeRequired: true })
  .mutation(async ({ ctx }) => {
    await deleteSession({ trx: ctx.trx, sessionId: ctx.actor.sessionId });
    clearSessionCookie(ctx);
    return { ok: true };
  });
