import { z } from 'zod';
import { acceptInvitation } from '../../domain/auth/invitations';
import { passwordSchema } from '../../contract/fields';
import { publicProcedure } from '../trpc';
import { setSessionCookie } from '../session-cookie';

export const acceptInviteInput = z.object({ token: z.string().min(20).max(200), password: passwordSchema });

export const acceptInviteProcedure = publicProcedure.input(acceptInviteInput).mutation(async ({ ctx, input }) => {
  const { user, session } = await acceptInvitation({ db: ctx.db, ownerDb: ctx.ownerDb, now: ctx.now(), meta: ctx.meta, input });
  setSessionCookie(ctx, session);
  return { user };
});
