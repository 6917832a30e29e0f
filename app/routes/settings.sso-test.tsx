import { redirect, type LoaderFunctionArgs } from '@remix-run/node';
import { attempt, requirePermission } from '~/utils/errors';
import { requireMe } from '~/utils/session.server';

export const TEST_ERROR_COOKIE = 'seatwise_sso_test_error';

/**
 * "Test connection" is a link, not a form: a form post that redirects to the identity provider
 * would be stopped by our form-action CSP, and the IdP's origin is the workspace's own choice.
 * Starting a test only sends the admin to their IdP; its answer opens no session.
 */
export async function loader({ context, request }: LoaderFunctionArgs) {
  requirePermission(await requireMe(context, request), 'settings.manage');
  const started = await attempt(context, () => context.trpc.sso.test());
  // Said in a short-lived cookie, not the URL: a link could otherwise write any text onto our page.
  if (!started.ok) {
    return redirect('/settings/sso', { headers: { 'Set-Cookie': `${TEST_ERROR_COOKIE}=${encodeURIComponent(started.errors.message)}; Max-Age=60; Path=/settings/sso; HttpOnly; SameSite=Lax` } });
  }
  return redirect(started.value.url);
}
