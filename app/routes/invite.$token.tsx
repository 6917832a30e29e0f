import { json, redirect, type ActionFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useActionData } from '@remix-run/react';
import { NewPasswordForm, newPasswordForm } from '~/components/new-password-form';
import { attempt } from '~/utils/errors';
import { parseForm, refusal } from '~/utils/forms';

export const meta: MetaFunction = () => [{ title: 'Accept your invitation · Seatwise' }];

export async function action({ request, params, context }: ActionFunctionArgs) {
  const submission = parseForm(await request.formData(), newPasswordForm);
  const hidden = ['password', 'confirm'];
  if (submission.status !== 'success') return json({ result: submission.reply({ hideFields: hidden }), linkDead: false }, { status: 400 });
  const { password } = submission.value;
  const result = await attempt(context, () => context.trpc.auth.acceptInvite({ token: params.token ?? '', password }));
  if (!result.ok) {
    // The link itself is refused (malformed, used, expired): said on top, with the way out.
    const { token, ...onFields } = result.errors.fieldErrors;
    const errors = token ? { ...result.errors, fieldErrors: onFields } : result.errors;
    return json({ result: refusal(submission, errors, hidden), linkDead: !Object.keys(onFields).length }, { status: result.status });
  }
  return redirect('/dashboard');
}

export default function AcceptInvite() {
  const data = useActionData<typeof action>();
  return (
    <main className="narrow">
      <Link to="/" className="brand">
        Seatwise
      </Link>
      <h1>Welcome aboard</h1>
      <p className="muted">Choose a password to accept the invitation and sign in.</p>
      <NewPasswordForm lastResult={data?.result} label="Password" repeatLabel="Repeat the password" submit="Accept and sign in" />
    </main>
  );
}
