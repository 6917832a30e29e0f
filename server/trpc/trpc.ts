import { initTRPC, TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import type { Trx } from '../../db/index';
import { AppError, fromDatabaseError } from '../shared/errors';
import type { Permission } from '../domain/roles/built-in';
import { UNSTORABLE_TEXT, unstorableTextPath } from '../contract/fields';
import { missingPermission } from '../contract/permissions';
import type { Scope } from '../domain/scope';
import { SIGN_IN_REQUIRED, withSession } from '../domain/auth/sessions';
import type { Actor, Context } from './context';
import { withApiKey } from '../domain/api-keys/keys';
import { RATE_LIMITS } from '../domain/rate-limits';
import type { OpenTransaction } from './page-transaction';

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

/**
 * Issue #13: text PostgreSQL cannot store is refused for every procedure at once, before its own
 * schema runs, so no field anywhere can reach the database with a NUL or a lone surrogate.
 */
const refuseUnstorableText = t.middleware(async ({ getRawInput, next }) => {
  const path = unstorableTextPath(await getRawInput());
  if (path) throw new AppError('BAD_REQUEST', path.length ? `${path.join('.')}: ${UNSTORABLE_TEXT}` : UNSTORABLE_TEXT, { field: path.join('.') || undefined, reason: 'UNSTORABLE_TEXT' });
  return next();
});

export const publicProcedure = t.procedure.use(mapErrors).use(refuseUnstorableText);

export const PASSWORD_CHANGE_REQUIRED = 'Choose a new password before you continue.';

/**
 * One transaction per request with the actor's tenant set for row-level security (SPEC "Tenant
 * isolation"). A failed procedure rolls the transaction back, so nothing half-done is kept.
 * Queries run read-only: enforced by PostgreSQL, and their answer need not wait for COMMIT.
 */
export const tenantProcedure = publicProcedure.use(async ({ ctx, meta, type, next }) => {
  const readOnly = type === 'query';
  const run = async (trx: Trx, actor: Actor) => {
    // The session or key was resolved with its user's status, role and flags in this request.
    if (actor.mustChangePassword && !meta?.allowedWhilePasswordChangeRequired) {
      throw new AppError('FORBIDDEN', PASSWORD_CHANGE_REQUIRED, { reason: 'PASSWORD_CHANGE_REQUIRED' });
    }
    const permissions = new Set<Permission>(actor.permissions);
    const scope: Scope = {
      trx,
      tenantId: actor.tenantId,
      actor:
        actor.type === 'api_key'
          ? { type: 'api_key', id: actor.keyId, label: `${actor.prefix}… (${actor.email})` }
          : { type: 'user', id: actor.userId, label: actor.email },
      actorUserId: actor.userId,
      permissions,
      ip: ctx.meta.ip,
      now: ctx.now(),
      jobs: ctx.jobs,
    };
    const result = await next({ ctx: { trx, tenantId: actor.tenantId, permissions, scope, actor } });
    if (!result.ok) throw result.error;
    return result;
  };
  const { apiKey, sessionToken } = ctx;
  if (!apiKey && !sessionToken) throw new AppError('UNAUTHORIZED', SIGN_IN_REQUIRED, { reason: 'SIGN_IN_REQUIRED' });
  // The key or the session is resolved in the message that opens the transaction.
  const open: OpenTransaction = (readOnly, run) =>
    apiKey
      ? withApiKey({ db: ctx.db, ownerDb: ctx.ownerDb, key: apiKey.key, now: ctx.now(), limit: RATE_LIMITS.apiKey(ctx.env), readOnly }, run)
      : withSession({ db: ctx.db, ownerDb: ctx.ownerDb, token: sessionToken!, now: ctx.now(), readOnly }, run);
  // A page load's queries share one transaction (issue #20, server/trpc/page-transaction.ts).
  if (readOnly && ctx.page) return ctx.page.run(open, run);
  return open(readOnly, run);
});

export const permissionProcedure = (permission: Permission) =>
  tenantProcedure.use(({ ctx, next }) => {
    if (!ctx.permissions.has(permission)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: missingPermission(permission) });
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
