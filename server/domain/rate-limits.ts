import type { Db } from '../../db/index';
import type { Env } from '../shared/env';
import { AppError } from '../shared/errors';

export type RateLimit = { name: string; max: number; windowSeconds: number; message: string };

/** Every limit in one place; the counts come from the environment. */
export const RATE_LIMITS = {
  signIn: (env: Env): RateLimit => ({ name: 'sign-in', max: env.SIGN_IN_RATE_LIMIT, windowSeconds: 900, message: 'Too many sign-in attempts from your network.' }),
  passwordReset: (env: Env): RateLimit => ({ name: 'password-reset', max: env.PASSWORD_RESET_RATE_LIMIT, windowSeconds: 900, message: 'Too many password reset requests from your network.' }),
  signup: (env: Env): RateLimit => ({ name: 'signup', max: env.SIGNUP_RATE_LIMIT, windowSeconds: 3600, message: 'Too many workspaces were created from your network.' }),
  apiKey: (env: Env): RateLimit => ({ name: 'api-key', max: env.API_KEY_RATE_LIMIT, windowSeconds: 60, message: 'Too many requests with this API key.' }),
  scimToken: (env: Env): RateLimit => ({ name: 'scim-token', max: env.SCIM_RATE_LIMIT, windowSeconds: 60, message: 'Too many requests with this provisioning token.' }),
};

/** The upsert that counts hits; `source` yields the row's (key, window_start, hits). */
export const countHitSql = (source: string) => `insert into rate_limits (key, window_start, hits) ${source}
  on conflict (key, window_start) do update set hits = rate_limits.hits + excluded.hits
  returning hits`;

/** Hits are counted per subject in fixed windows; this row key and window start name one count. */
export const rateLimitKey = (limit: RateLimit, subject: string) => `${limit.name}:${subject}`;

export function windowStartOf(limit: RateLimit, now: Date) {
  const windowMs = limit.windowSeconds * 1000;
  return new Date(Math.floor(now.getTime() / windowMs) * windowMs);
}

/** Refuses the hit that went past `max`, saying when to try again. */
export function refuseOverLimit(limit: RateLimit, hits: number, now: Date) {
  if (hits <= limit.max) return;
  const windowEnd = windowStartOf(limit, now).getTime() + limit.windowSeconds * 1000;
  const retryAfterSeconds = Math.max(1, Math.ceil((windowEnd - now.getTime()) / 1000));
  const minutes = Math.ceil(retryAfterSeconds / 60);
  throw new AppError('TOO_MANY_REQUESTS', `${limit.message} Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, {
    reason: 'RATE_LIMITED',
    retryAfterSeconds,
  });
}

/**
 * Counts one hit for `subject` in the current window and refuses past `max`. One upsert: atomic
 * across any number of web instances. (API keys count theirs with api_key_hit(), in the message that
 * opens their request's transaction: server/domain/api-keys/keys.ts.)
 */
export async function hitRateLimit({ db, limit, subject, now }: { db: Db; limit: RateLimit; subject: string; now: Date }) {
  const { rows } = await db.raw<{ rows: { hits: number }[] }>(countHitSql('values (?, ?, 1)'), [rateLimitKey(limit, subject), windowStartOf(limit, now)]);
  refuseOverLimit(limit, rows[0].hits, now);
}
