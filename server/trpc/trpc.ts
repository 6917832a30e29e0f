import { initTRPC, TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import { withTenant } from '../../db/index';
import { AppError, fromDatabaseError } from '../errors';
import type { Permission } from '../domain/roles';
import type { Scope } from '../domain/scope';
import type { Context } from './context';

function appErrorOf(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  return fromDatabaseError(error);
}

/** The client-facing body of an error: used by the HTTP API and by Remix actions alike. */
export function errorDetails(error: unknown): {
  message: string;
  fieldErrors: Record<string, string[]>;
  data: Record<string, unknown>;
} {
  const cause = error instanceof TRPCError ? error.cause : error;
  if (cause instanceof ZodError) {
    const fieldErrors = z.flattenError(cause).fieldErrors as Record<string, string[]>;
    const first = cause.issues[0];
    const where = first?.path.join('.');
    return { message: where ? `${where}: ${first.message}` : (first?.message ?? 'Invalid input'), fieldErrors, data: {} };
  }
  const app = appErrorOf(cause);
  if (app) {
    const { field, ...data } = app.data;
    return { message: app.message, fieldErrors: field ? { [field]: [app.message] } : {}, data };
  }
  if (error instanceof TRPCError && error.code !== 'INTERNAL_SERVER_ERROR') {
    return { message: error.message, fieldErrors: {}, data: {} };
  }
  return { message: 'Something went wrong on our side. Please try again.', fieldErrors: {}, data: {} };
}

export type ProcedureMeta = {
  /** The few procedures a user flagged "must change password" may still call. */
  allowedWhilePasswordChangeRequired?: boolean;
};

const t = initTRPC.context<Context>().meta<ProcedureMeta>().create({
  errorFormatter({ shape, error }) {
    const details = errorDetails(error);
    return {
      ...shape,
      message: details.message,
      data: { code: shape.data.code, httpStatus: shape.data.httpStatus, fieldErrors: details.fieldErrors, ...details.data },
    };
  },
});

/** STYLE §4: domain and database errors become tRPC errors here and nowhere else. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const app = appErrorOf(result.error.cause);
    if (app) throw new TRPCError({ code: app.code, message: app.message, cause: app });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(mapErrors);

/** A signed-in user or an API key (already rate-limited when it was resolved): narrows ctx.actor. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.actor) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in to continue.' });
  return next({ ctx: { actor: ctx.actor } });
});

/**
 * One transaction per request with the actor's tenant set for row-level security (SPEC "Tenant
 * isolation"). A failed procedure rolls the transaction back, so nothing half-done is kept.
 */
export const PASSWORD_CHANGE_REQUIRED = 'Choose a new password before you continue.';

export const tenantProcedure = authedProcedure.use(async ({ ctx, meta, type, next }) => {
  const { tenantId, userId, email } = ctx.actor;
  // The session or key was resolved with its user's status, role and flags a moment ago.
  if (ctx.actor.mustChangePassword && !meta?.allowedWhilePasswordChangeRequired) {
    throw new AppError('FORBIDDEN', PASSWORD_CHANGE_REQUIRED, { reason: 'PASSWORD_CHANGE_REQUIRED' });
  }
  const permissions = new Set<Permission>(ctx.actor.permissions);
  // Queries read only: enforced by PostgreSQL, and their answer need not wait for COMMIT.
  return withTenant(ctx.db, tenantId, async (trx) => {
    const scope: Scope = {
      trx,
      tenantId,
      actor:
        ctx.actor.type === 'api_key'
          ? { type: 'api_key', id: ctx.actor.keyId, label: `${ctx.actor.prefix}… (${email})` }
          : { type: 'user', id: userId, label: email },
      actorUserId: userId,
      permissions,
      ip: ctx.meta.ip,
      now: ctx.now(),
      jobs: ctx.jobs,
    };
    const result = await next({ ctx: { trx, tenantId, permissions, scope } });
    if (!result.ok) throw result.error;
    return result;
  }, { readOnly: type === 'query' });
});

export const permissionProcedure = (permission: Permission) =>
  tenantProcedure.use(({ ctx, next }) => {
    if (!ctx.permissions.has(permission)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `You need the ${permission} permission to do this.` });
    }
    return next();
  });

/** For what only a person in a browser session can do (sign out, change a password). */
export const sessionProcedure = tenantProcedure.use(({ ctx, next }) => {
  if (ctx.actor.type !== 'user') {
    throw new AppError('BAD_REQUEST', 'This needs a person signed in; an API key cannot do it.', { reason: 'SESSION_REQUIRED' });
  }
  return next({ ctx: { actor: ctx.actor } });
});
