import { json, redirect, type ActionFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useActionData } from '@remix-run/react';
import { mismatch, NewPasswordForm } from '~/components/new-password-form';
import { attempt, formObject } from '~/utils/errors';

export const meta: MetaFunction = () => [{ title: 'Accept your invitation · Seatwise' }, { name: 'referrer', content: 'no-referrer' }];

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { password = '', confirm = '' } = formObject(await request.formData());
  const different = mismatch(password, confirm);
  if (different) return json(different, { status: 400 });
  const result = await attempt(context, () => context.trpc.auth.acceptInvite({ token: params.token ?? '', password }));
  if (!result.ok) return json({ message: result.errors.message, fieldErrors: result.errors.fieldErrors }, { status: result.status });
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
      <NewPasswordForm data={data} label="Password" repeatLabel="Repeat the password" submit="Accept and sign in" />
    </main>
  );
}
