import { once } from 'node:events';
import type { RequestHandler } from 'express';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { Trx } from '../../db/index';
import { exportAuditInput } from '../contract/audit';
import { exportLoginHistoryInput, exportUsersInput } from '../contract/users';
import type { Permission } from '../contract/permissions';
import { withSession, SIGN_IN_REQUIRED } from '../domain/auth/sessions';
import { withApiKey } from '../domain/api-keys/keys';
import { RATE_LIMITS } from '../domain/rate-limits';
import { streamAuditCsv, streamLoginHistoryCsv, streamUsersCsv, type Write } from '../domain/exports/streams';
import { AppError } from '../shared/errors';
import { createHttpContext, type Actor, type Deps } from '../trpc/context';
import { errorDetails, PASSWORD_CHANGE_REQUIRED } from '../trpc/trpc';

type Export = { permission: Permission; parse: (query: Record<string, unknown>) => unknown; stream: (trx: Trx, input: never, write: Write) => Promise<void> };

/** Blank query fields are absent, as on the list pages' GET filters. */
const present = (query: Record<string, unknown>) => Object.fromEntries(Object.entries(query).filter(([, v]) => typeof v === 'string' && v.trim() !== ''));

const EXPORTS: Record<string, Export> = {
  users: { permission: 'users.read', parse: (q) => exportUsersInput.parse(present(q)), stream: streamUsersCsv as Export['stream'] },
  'login-history': { permission: 'users.read', parse: (q) => exportLoginHistoryInput.parse(present(q)), stream: streamLoginHistoryCsv as Export['stream'] },
  audit: { permission: 'audit.read', parse: (q) => exportAuditInput.parse(present(q)), stream: streamAuditCsv as Export['stream'] },
};

/**
 * SPEC "Export": `/export/users.csv`, `/export/login-history.csv`, `/export/audit.csv`, with the
 * pages' filters as query fields. Streamed from a cursor to the socket, honouring back-pressure,
 * in one read-only transaction with the tenant set, for a session or an API key, like /trpc.
 * (users.export and audit.export answer the same CSV as one JSON string over tRPC.)
 */
export function csvExports(deps: Deps): RequestHandler {
  return async (req, res, next) => {
    const kind = EXPORTS[req.params.name ?? ''];
    if (!kind) return next();
    try {
      const input = kind.parse(req.query as Record<string, unknown>);
      const ctx = await createHttpContext(deps, req, res);
      const run = async (trx: Trx, actor: Actor) => {
        if (actor.mustChangePassword) throw new AppError('FORBIDDEN', PASSWORD_CHANGE_REQUIRED, { reason: 'PASSWORD_CHANGE_REQUIRED' });
        if (!actor.permissions.includes(kind.permission)) throw new TRPCError({ code: 'FORBIDDEN', message: `You need the ${kind.permission} permission to do this.` });
        res.status(200);
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="${req.params.name}-${new Date().toISOString().slice(0, 10)}.csv"`);
        // no-transform: compression would buffer the stream (and leak drain listeners); CSV goes out as read.
        res.setHeader('Cache-Control', 'private, no-store, no-transform');
        await kind.stream(trx, input as never, async (chunk) => {
          if (!res.write(chunk)) await once(res, 'drain');
        });
      };
      if (ctx.apiKey) {
        await withApiKey({ db: deps.db, ownerDb: deps.ownerDb, key: ctx.apiKey.key, now: deps.now(), limit: RATE_LIMITS.apiKey(deps.env), readOnly: true }, run);
      }
      else if (ctx.sessionToken) await withSession({ db: deps.db, ownerDb: deps.ownerDb, token: ctx.sessionToken, now: deps.now(), readOnly: true }, run);
      else throw new AppError('UNAUTHORIZED', SIGN_IN_REQUIRED, { reason: 'SIGN_IN_REQUIRED' });
      res.end();
    } catch (error) {
      if (res.headersSent) return void res.destroy(error as Error);
      const refusal = error instanceof TRPCError ? error : error instanceof AppError ? new TRPCError({ code: error.code, message: error.message, cause: error }) : null;
      const zod = (error as { name?: string }).name === 'ZodError';
      if (!refusal && !zod) return next(error);
      const status = zod ? 400 : getHTTPStatusCodeFromError(refusal!);
      res.status(status).type('text/plain').send(errorDetails(error).message);
    }
  };
}
