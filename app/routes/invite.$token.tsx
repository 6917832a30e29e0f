import { json, redirect, type ActionFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useNavigation } from '@remix-run/react';
import { Field, FormAlert } from '~/components/field';
import { attempt, formObject } from '~/utils/errors';

export const meta: MetaFunction = () => [{ title: 'Accept your invitation · Seatwise' }, { name: 'referrer', content: 'no-referrer' }];

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { password = '', confirm = '' } = formObject(await request.formData());
  if (password !== confirm) {
    return json({ message: null, fieldErrors: { confirm: ['The two passwords do not match.'] } as Record<string, string[]> }, { status: 400 });
  }
  const result = await attempt(context, () => context.trpc.auth.acceptInvite({ token: params.token ?? '', password }));
  if (!result.ok) return json({ message: result.errors.message, fieldErrors: result.errors.fieldErrors }, { status: result.status });
  return redirect('/dashboard');
}

export default function AcceptInvite() {
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const errors = data?.fieldErrors ?? {};
  return (
    <main className="narrow">
      <Link to="/" className="brand">
        Seatwise
      </Link>
      <h1>Welcome aboard</h1>
      <p className="muted">Choose a password to accept the invitation and sign in.</p>
      <Form method="post" className="stack">
        <FormAlert message={Object.keys(errors).length ? null : data?.message} />
        <Field label="Password" name="password" type="password" autoComplete="new-password" hint="At least 12 characters." errors={errors.password ?? errors.token} minLength={12} required />
        <Field label="Repeat the password" name="confirm" type="password" autoComplete="new-password" errors={errors.confirm} required />
        <button type="submit" disabled={navigation.state === 'submitting'}>
          Accept and sign in
        </button>
      </Form>
    </main>
  );
}
