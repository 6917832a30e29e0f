import { requestPasswordReset } from '../../domain/password-changes';
import { publicProcedure } from '../../trpc/trpc';
import { requestPasswordResetInput } from './password.types';

export const requestPasswordResetProcedure = publicProcedure
  .input(requestPasswordResetInput)
  .mutation(({ ctx, input }) =>
    requestPasswordReset({ db: ctx.db, ownerDb: ctx.ownerDb, env: ctx.env, jobs: ctx.jobs, now: ctx.now(), meta: ctx.meta, input }),
  );
