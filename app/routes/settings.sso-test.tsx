import { redirect, type LoaderFunctionArgs } from '@remix-run/node';
import { attempt, requirePermission } from '~/utils/errors';
import { requireMe } from '~/utils/session.server';

/**
 * "Test connection" is a link, not a form: a form post that redirects to the identity provider
 * would be stopped by our form-action CSP, and the IdP's origin is the workspace's own choice.
 * Starting a test only sends the admin to their IdP; its answer opens no session.
 */
export async function loader({ context, request }: LoaderFunctionArgs) {
  requirePermission(await requireMe(context, request), 'settings.manage');
  const started = await attempt(context, () => context.trpc.sso.test());
  if (!started.ok) return redirect(`/settings/sso?error=${encodeURIComponent(started.errors.message)}`);
  return redirect(started.value.url);
}
