import { redirect, type AppLoadContext } from '@remix-run/node';
import { trpcCode } from './errors';

/** The signed-in user for a page inside the app, or a redirect to sign in. */
export async function requireMe(context: AppLoadContext, request: Request) {
  try {
    return await context.trpc.auth.me();
  } catch (error) {
    if (trpcCode(error) === 'UNAUTHORIZED') {
      const from = new URL(request.url).pathname;
      throw redirect(`/login?redirectTo=${encodeURIComponent(from)}`);
    }
    throw error;
  }
}
