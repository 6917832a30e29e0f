import { json, redirect, type ActionFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useActionData } from '@remix-run/react';
import { NewPasswordForm, newPasswordForm } from '~/components/new-password-form';
import { attempt } from '~/utils/errors';
import { parseForm, refusal } from '~/utils/forms';

export const meta: MetaFunction = () => [{ title: 'Choose a new password · Seatwise' }];

export async function action({ request, params, context }: ActionFunctionArgs) {
  const submission = parseForm(await request.formData(), newPasswordForm);
  const hidden = ['password', 'confirm'];
  if (submission.status !== 'success') return json({ result: submission.reply({ hideFields: hidden }), linkDead: false }, { status: 400 });
  const { password } = submission.value;
  const result = await attempt(context, () => context.trpc.auth.resetPassword({ token: params.token ?? '', password }));
  if (!result.ok) {
    // The link itself is refused (malformed, used, expired): said on top, with the way out.
    const { token, ...onFields } = result.errors.fieldErrors;
    const errors = token ? { ...result.errors, fieldErrors: onFields } : result.errors;
    return json({ result: refusal(submission, errors, hidden), linkDead: !Object.keys(onFields).length }, { status: result.status });
  }
  return redirect('/dashboard');
}

export default function ResetPassword() {
  const data = useActionData<typeof action>();
  const linkDead = data?.linkDead;
  return (
    <main id="main" className="narrow">
      <Link to="/" className="brand">
        Seatwise
      </Link>
      <h1>Choose a new password</h1>
      {linkDead ? (
        <p>
          <Link to="/forgot-password">Request a new link</Link>
        </p>
      ) : null}
      <NewPasswordForm lastResult={data?.result} label="New password" repeatLabel="Repeat the new password" submit="Set password and sign in" />
    </main>
  );
}
