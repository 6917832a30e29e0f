import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { Field, FormAlert } from '~/components/field';
import { attempt, formObject } from '~/utils/errors';
import { requireMe } from '~/utils/session.server';

export const meta: MetaFunction = () => [{ title: 'Change your password · Seatwise' }];

export async function loader({ context, request }: LoaderFunctionArgs) {
  const me = await requireMe(context, request);
  return json({ required: me.user.mustChangePassword });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { currentPassword = '', newPassword = '', confirm = '' } = formObject(await request.formData());
  if (newPassword !== confirm) {
    return json({ message: null, fieldErrors: { confirm: ['The two passwords do not match.'] } as Record<string, string[]> }, { status: 400 });
  }
  const result = await attempt(context, () => context.trpc.auth.changePassword({ currentPassword, newPassword }));
  if (!result.ok) return json({ message: result.errors.message, fieldErrors: result.errors.fieldErrors }, { status: result.status });
  return redirect('/dashboard?password=changed');
}

export default function ChangePassword() {
  const { required } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const errors = data?.fieldErrors ?? {};
  return (
    <main className="narrow">
      <span className="brand">Seatwise</span>
      <h1>Change your password</h1>
      {required ? <p className="banner">Your administrator asks you to choose a new password before you continue.</p> : null}
      <Form method="post" className="stack">
        <FormAlert message={Object.keys(errors).length ? null : data?.message} />
        <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" errors={errors.currentPassword} required />
        <Field label="New password" name="newPassword" type="password" autoComplete="new-password" hint="At least 12 characters. Other browsers signed in as you will be signed out." errors={errors.newPassword} minLength={12} required />
        <Field label="Repeat the new password" name="confirm" type="password" autoComplete="new-password" errors={errors.confirm} required />
        <button type="submit" disabled={navigation.state === 'submitting'}>
          Change password
        </button>
      </Form>
      <Form method="post" action="/logout">
        <p className="muted">
          {required ? (
            <button className="secondary" type="submit">
              Sign out instead
            </button>
          ) : (
            <Link to="/dashboard">Back to the dashboard</Link>
          )}
        </p>
      </Form>
    </main>
  );
}
