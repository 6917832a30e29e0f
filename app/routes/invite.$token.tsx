import { json, redirect, type ActionFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useActionData } from '@remix-run/react';
import { FormAlert } from '~/components/field';
import { NewPasswordForm, newPasswordForm } from '~/components/new-password-form';
import { attempt } from '~/utils/errors';
import { parseForm, refusal } from '~/utils/forms';

export const meta: MetaFunction = () => [{ title: 'Accept your invitation · Seatwise' }];

/**
 * A link that cannot be used, whatever the reason: mistyped (refused by the token's schema), used,
 * expired or replaced by a newer invitation (refused by the procedure). No procedure checks a token
 * without consuming it, so the page learns this when the password is posted, and says it plainly.
 */
const LINK_INVALID = 'This invitation link is not valid: it was mistyped, has expired or has already been used. Ask your administrator to send you a new one.';

export async function action({ request, params, context }: ActionFunctionArgs) {
  const submission = parseForm(await request.formData(), newPasswordForm);
  const hidden = ['password', 'confirm'];
  if (submission.status !== 'success') return json({ result: submission.reply({ hideFields: hidden }), linkDead: false }, { status: 400 });
  const { password } = submission.value;
  const result = await attempt(context, () => context.trpc.auth.acceptInvite({ token: params.token ?? '', password }));
  if (!result.ok) {
    // The link itself is refused: said on top, with the way out, and no form to fill in again.
    const { token, ...onFields } = result.errors.fieldErrors;
    if (token || result.errors.data.reason === 'LINK_INVALID') {
      return json({ result: submission.reply({ formErrors: [LINK_INVALID], hideFields: hidden }), linkDead: true }, { status: result.status });
    }
    return json({ result: refusal(submission, { ...result.errors, fieldErrors: onFields }, hidden), linkDead: false }, { status: result.status });
  }
  return redirect('/dashboard');
}

export default function AcceptInvite() {
  const data = useActionData<typeof action>();
  return (
    <main id="main" className="narrow">
      <Link to="/" className="brand">
        Seatwise
      </Link>
      <h1>Welcome aboard</h1>
      {data?.linkDead ? (
        <div className="stack">
          <FormAlert message={data.result.error?.['']} />
          <p>
            Already set your password? <Link to="/login">Sign in</Link>.
          </p>
        </div>
      ) : (
        <>
          <p className="muted">Choose a password to accept the invitation and sign in.</p>
          <NewPasswordForm lastResult={data?.result} label="Password" repeatLabel="Repeat the password" submit="Accept and sign in" />
        </>
      )}
    </main>
  );
}
