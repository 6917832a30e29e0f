import { requestPasswordReset } from '../../domain/auth/password-changes';
import { publicProcedure } from '../trpc';
import { requestPasswordResetInput } from '../../contract/auth-passwords';

export const requestPasswordResetProcedure = publicProcedure
  .input(requestPasswordResetInput)
  .mutation(({ ctx, input }) =>
    requestPasswordReset({ db: ctx.db, ownerDb: ctx.ownerDb, env: ctx.env, jobs: ctx.jobs, now: ctx.now(), meta: ctx.meta, input }),
  );
