import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { Db } from '../../db/index';
import type { Env } from '../shared/env';
import type { JobSender } from '../jobs/index';
import { TRPCError } from '@trpc/server';
import type { ApiKeyActor } from '../domain/api-keys/keys';
import type { RequestMeta } from '../domain/scope';
import { sessionCookie, type SessionActor } from '../domain/auth/sessions';
import { AppError } from '../shared/errors';
import type { PageTransaction } from './page-transaction';

/** What every request shares: built once per process, replaced wholesale in tests. */
export type Deps = {
  env: Env;
  /** The web role: row-level security applies. */
  db: Db;
  /** The privileged role, for the few cross-tenant look-ups (a session's tenant, a workspace slug). */
  ownerDb: Db;
  jobs: JobSender;
  /** The real Stripe SDK (pointed at the emulator in test mode); null when billing is unavailable. */
  stripe: Stripe | null;
  log: Logger;
  now: () => Date;
};

export type Actor = SessionActor | ApiKeyActor;


export type CookieJar = {
  get(name: string): string | undefined;
  set(name: string, value: string, options: { maxAgeSeconds?: number; expires?: Date }): void;
  clear(name: string): void;
};

/** The API key a request sent, resolved (and rate-limited) by tenant procedures (withApiKey). */
/** Each procedure of a batch opens its own transaction, and counts its own hit against the key's limit there. */
export type ApiKeyCredential = { key: string };

/**
 * A session cookie or an API key is resolved by tenant procedures in the message that opens the
 * request's own transaction (withSession, withApiKey). `page`, for a page load's loaders, makes
 * their queries share one transaction and one resolution (server/trpc/page-transaction.ts).
 */
export type Context = Deps & {
  meta: RequestMeta;
  cookies: CookieJar;
  apiKey: ApiKeyCredential | null;
  sessionToken: string | null;
  page: PageTransaction | null;
};

export function expressCookieJar(env: Env, req: Request, res: Response): CookieJar {
  return {
    get: (name) => (req as Request & { cookies?: Record<string, string> }).cookies?.[name],
    set: (name, value, { maxAgeSeconds, expires }) =>
      res.cookie(name, value, {
        httpOnly: true,
        sameSite: 'lax',
        secure: env.NODE_ENV === 'production',
        path: '/',
        ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds * 1000 } : {}),
        ...(expires ? { expires } : {}),
      }),
    clear: (name) =>
      res.clearCookie(name, { httpOnly: true, sameSite: 'lax', secure: env.NODE_ENV === 'production', path: '/' }),
  };
}

/** Transport-free, so tests build the very same context from an in-memory cookie jar. */
export async function createContext(
  deps: Deps,
  { meta, cookies, page = null }: { meta: RequestMeta; cookies: CookieJar; page?: PageTransaction | null },
): Promise<Context> {
  return { ...deps, meta, cookies, apiKey: null, sessionToken: cookies.get(sessionCookie(deps.env)) ?? null, page };
}

export async function createHttpContext(deps: Deps, req: Request, res: Response, { page = null }: { page?: PageTransaction | null } = {}): Promise<Context> {
  const meta = { ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 500) ?? null };
  const cookies = expressCookieJar(deps.env, req, res);
  const authorization = req.get('authorization');
  if (!authorization) return createContext(deps, { meta, cookies, page });
  // An API key request is authenticated by its key alone, never by a cookie sent alongside.
  const key = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
  try {
    if (!key) throw new AppError('UNAUTHORIZED', 'Send the API key as: Authorization: Bearer swk_…', { reason: 'KEY_MALFORMED' });
    return { ...deps, meta, cookies: { get: () => undefined, set: () => {}, clear: () => {} }, apiKey: { key }, sessionToken: null, page };
  } catch (error) {
    if (error instanceof AppError) throw new TRPCError({ code: error.code, message: error.message, cause: error });
    throw error;
  }
}
