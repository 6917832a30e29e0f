import { sessionCookie } from '../../domain/sessions';
import type { Context } from '../../trpc/context';

export function setSessionCookie(ctx: Context, session: { token: string; expiresAt: Date }) {
  ctx.cookies.set(sessionCookie(ctx.env), session.token, { expires: session.expiresAt });
}

export function clearSessionCookie(ctx: Context) {
  ctx.cookies.clear(sessionCookie(ctx.env));
}
