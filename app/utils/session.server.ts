import { redirect, type AppLoadContext } from '@remix-run/node';
import { trpcCode } from './errors';

/** The signed-in user for a page inside the app, or a redirect to sign in. */
export async function requireMe(context: AppLoadContext, request: Request) {
  const toLogin = () => redirect(`/login?redirectTo=${encodeURIComponent(new URL(request.url).pathname)}`);
  try {
    const me = await context.trpc.auth.me();
    // A session whose user row is gone is no session.
    if (!me.user) throw toLogin();
    return { ...me, user: me.user };
  } catch (error) {
    if (trpcCode(error) === 'UNAUTHORIZED') throw toLogin();
    throw error;
  }
}
