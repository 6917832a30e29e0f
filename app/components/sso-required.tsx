import { Link } from '@remix-run/react';
import type { ActionErrors } from '~/utils/errors';

export type SsoRequiredDetails = { message: string; workspace: string | null };

/** The refusal of a password session under Owners-only password sign-in (reason SSO_REQUIRED). */
export function ssoRequired(errors: ActionErrors): SsoRequiredDetails | null {
  if (errors.data.reason !== 'SSO_REQUIRED') return null;
  return { message: errors.message, workspace: typeof errors.data.workspace === 'string' ? errors.data.workspace : null };
}

/** Shown instead of the form: what was done, and the sign-in page of the workspace to continue. */
export function SsoRequired({ message, workspace }: SsoRequiredDetails) {
  return (
    <div className="stack">
      <div className="alert" role="status">
        {message}
      </div>
      <p>
        <Link to={workspace ? `/login?workspace=${encodeURIComponent(workspace)}` : '/login'}>Go to the sign-in page</Link>
      </p>
    </div>
  );
}
