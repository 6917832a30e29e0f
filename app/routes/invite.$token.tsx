import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { FormAlert } from '~/components/field';
import { NewPasswordForm, newPasswordForm } from '~/components/new-password-form';
import { SsoRequired, ssoRequired } from '~/components/sso-required';
import { attempt } from '~/utils/errors';
import { parseForm, refusal } from '~/utils/forms';

export const meta: MetaFunction = () => [{ title: 'Accept your invitation · Seatwise' }];

/**
 * A link that cannot be used, whatever the reason: mistyped (refused by the token's schema), used,
 * expired or replaced by a newer invitation (refused by the procedure). The page checks the link
 * when it opens (auth.invitationInfo uses nothing up) and says so instead of showing the form; the
 * action still says it for a link used meanwhile in another tab.
 */
const LINK_INVALID = 'This invitation link is not valid: it was mistyped, has expired or has already been used. Ask your administrator to send you a new one.';

/** Issue #18: 200 with whom the invitation is for; a dead link is 410 (404 when it cannot even be a link). */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const result = await attempt(context, () => context.trpc.auth.invitationInfo({ token: params.token ?? '' }));
  if (result.ok) return json({ invitation: result.value });
  return json({ invitation: null }, { status: result.status === 400 ? 404 : 410 });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const submission = parseForm(await request.formData(), newPasswordForm);
  const hidden = ['password', 'confirm'];
  if (submission.status !== 'success') return json({ result: submission.reply({ hideFields: hidden }), linkDead: false, sso: null }, { status: 400 });
  const { password } = submission.value;
  const result = await attempt(context, () => context.trpc.auth.acceptInvite({ token: params.token ?? '', password }));
  if (!result.ok) {
    // Owners-only password sign-in: the invitation is accepted, but the way in is single sign-on.
    const sso = ssoRequired(result.errors);
    if (sso) return json({ result: submission.reply({ hideFields: hidden }), linkDead: false, sso }, { status: result.status });
    // The link itself is refused: said on top, with the way out, and no form to fill in again.
    const { token, ...onFields } = result.errors.fieldErrors;
    if (token || result.errors.data.reason === 'LINK_INVALID') {
      return json({ result: submission.reply({ formErrors: [LINK_INVALID], hideFields: hidden }), linkDead: true, sso: null }, { status: result.status });
    }
    return json({ result: refusal(submission, { ...result.errors, fieldErrors: onFields }, hidden), linkDead: false, sso: null }, { status: result.status });
  }
  return redirect('/dashboard');
}

export default function AcceptInvite() {
  const { invitation } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const message = invitation ? data?.result.error?.[''] : LINK_INVALID;
  return (
    <main id="main" className="narrow">
      <Link to="/" className="brand">
        Seatwise
      </Link>
      <h1>Welcome aboard</h1>
      {data?.sso ? (
        <SsoRequired {...data.sso} />
      ) : !invitation || data?.linkDead ? (
        <div className="stack">
          <FormAlert message={message} />
          <p>
            Already set your password? <Link to="/login">Sign in</Link>.
          </p>
        </div>
      ) : (
        <>
          <p>
            You are invited to <strong>{invitation.workspace}</strong> as <strong className="invitee">{invitation.email}</strong>.
          </p>
          <p className="muted">Choose a password to accept the invitation and sign in.</p>
          <NewPasswordForm lastResult={data?.result} label="Password" repeatLabel="Repeat the password" submit="Accept and sign in" />
        </>
      )}
    </main>
  );
}
