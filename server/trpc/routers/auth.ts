import { acceptInviteInput, changePasswordInput, linkTokenInput, loginInput, requestPasswordResetInput, resetPasswordInput, signupInput } from '../../contract/auth';
import { acceptInvitation, invitationInfo } from '../../domain/auth/invitations';
import { changePassword, requestPasswordReset, resetLinkInfo, resetPassword } from '../../domain/auth/password-changes';
import { deleteSession } from '../../domain/auth/sessions';
import { signIn } from '../../domain/auth/sign-in';
import { signup } from '../../domain/tenants/signup';
import { getMe } from '../../domain/users/read';
import { clearSessionCookie, setSessionCookie } from '../session-cookie';
import { publicProcedure, router, sessionProcedure, tenantProcedure } from '../trpc';

/** Procedures that start or end a session also set or clear its cookie; the rest is the domain's. */
export const authRouter = router({
  signup: publicProcedure.input(signupInput).mutation(async ({ ctx, input }) => {
    const { tenant, user, session } = await signup({ db: ctx.db, env: ctx.env, jobs: ctx.jobs, now: ctx.now(), meta: ctx.meta, input });
    setSessionCookie(ctx, session);
    return { tenant, user };
  }),

  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
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
  }),

  logout: sessionProcedure.meta({ allowedWhilePasswordChangeRequired: true }).mutation(async ({ ctx }) => {
    await deleteSession({ trx: ctx.trx, sessionId: ctx.actor.sessionId });
    clearSessionCookie(ctx);
    return { ok: true };
  }),

  me: tenantProcedure
    .meta({ allowedWhilePasswordChangeRequired: true })
    .query(({ ctx }) => getMe({ trx: ctx.trx, tenantId: ctx.tenantId, userId: ctx.actor.userId, permissions: ctx.permissions })),

  requestPasswordReset: publicProcedure
    .input(requestPasswordResetInput)
    .mutation(({ ctx, input }) =>
      requestPasswordReset({ db: ctx.db, ownerDb: ctx.ownerDb, env: ctx.env, jobs: ctx.jobs, now: ctx.now(), meta: ctx.meta, input }),
    ),

  resetPassword: publicProcedure.input(resetPasswordInput).mutation(async ({ ctx, input }) => {
    const { user, session } = await resetPassword({ db: ctx.db, ownerDb: ctx.ownerDb, now: ctx.now(), meta: ctx.meta, input });
    setSessionCookie(ctx, session);
    return { user };
  }),

  changePassword: sessionProcedure
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
    })),

  /** Who an invitation link is for (workspace, email), without using it; a dead link is NOT_FOUND. */
  invitationInfo: publicProcedure
    .input(linkTokenInput)
    .query(({ ctx, input }) => invitationInfo({ db: ctx.db, ownerDb: ctx.ownerDb, now: ctx.now(), token: input.token })),

  /** Who a password reset link is for (workspace, email), without using it; a dead link is NOT_FOUND. */
  resetLinkInfo: publicProcedure
    .input(linkTokenInput)
    .query(({ ctx, input }) => resetLinkInfo({ db: ctx.db, ownerDb: ctx.ownerDb, now: ctx.now(), token: input.token })),

  acceptInvite: publicProcedure.input(acceptInviteInput).mutation(async ({ ctx, input }) => {
    const { user, session } = await acceptInvitation({ db: ctx.db, ownerDb: ctx.ownerDb, now: ctx.now(), meta: ctx.meta, input });
    setSessionCookie(ctx, session);
    return { user };
  }),
});
