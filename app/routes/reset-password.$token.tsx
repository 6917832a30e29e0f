import { json, redirect, type ActionFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useActionData } from '@remix-run/react';
import { mismatch, NewPasswordForm } from '~/components/new-password-form';
import { attempt, formObject } from '~/utils/errors';

export const meta: MetaFunction = () => [{ title: 'Choose a new password · Seatwise' }, { name: 'referrer', content: 'no-referrer' }];

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { password = '', confirm = '' } = formObject(await request.formData());
  const different = mismatch(password, confirm);
  if (different) return json(different, { status: 400 });
  const result = await attempt(context, () => context.trpc.auth.resetPassword({ token: params.token ?? '', password }));
  if (!result.ok) return json({ message: result.errors.message, fieldErrors: result.errors.fieldErrors }, { status: result.status });
  return redirect('/dashboard');
}

export default function ResetPassword() {
  const data = useActionData<typeof action>();
  const linkDead = data?.message && !Object.keys(data.fieldErrors).length;
  return (
    <main className="narrow">
      <Link to="/" className="brand">
        Seatwise
      </Link>
      <h1>Choose a new password</h1>
      {linkDead ? (
        <p>
          <Link to="/forgot-password">Request a new link</Link>
        </p>
      ) : null}
      <NewPasswordForm data={data} label="New password" repeatLabel="Repeat the new password" submit="Set password and sign in" />
    </main>
  );
}
