import { sessionCookie } from '../domain/auth/sessions';
import type { Context } from './context';

export function setSessionCookie(ctx: Context, session: { token: string; expiresAt: Date }) {
  ctx.cookies.set(sessionCookie(ctx.env), session.token, { expires: session.expiresAt });
}

export function clearSessionCookie(ctx: Context) {
  ctx.cookies.clear(sessionCookie(ctx.env));
}
