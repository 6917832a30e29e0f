import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { Field, FormAlert } from '~/components/field';
import { attempt, formObject } from '~/utils/errors';

export const meta: MetaFunction = () => [{ title: 'Reset your password · Seatwise' }];

export const loader = ({ request }: LoaderFunctionArgs) =>
  json({ workspace: new URL(request.url).searchParams.get('workspace') ?? '' });

export async function action({ request, context }: ActionFunctionArgs) {
  const { workspace = '', email = '' } = formObject(await request.formData());
  const result = await attempt(context, () => context.trpc.auth.requestPasswordReset({ workspace, email }));
  if (!result.ok) return json({ sent: null, errors: result.errors, values: { workspace, email } }, { status: result.status });
  return json({ sent: result.value.message, errors: null, values: { workspace, email } });
}

export default function ForgotPassword() {
  const { workspace } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const errors = data?.errors?.fieldErrors ?? {};
  return (
    <main className="narrow">
      <Link to="/" className="brand">
        Seatwise
      </Link>
      <h1>Reset your password</h1>
      {data?.sent ? (
        <p className="notice" role="status">
          {data.sent}
        </p>
      ) : (
        <Form method="post" className="stack">
          <p className="muted">We will email you a link to choose a new password. It also unlocks a locked account.</p>
          <FormAlert message={Object.keys(errors).length ? null : data?.errors?.message} />
          <Field label="Workspace" name="workspace" defaultValue={data?.values.workspace ?? workspace} autoCapitalize="none" errors={errors.workspace} required />
          <Field label="Email" name="email" type="email" autoComplete="username" defaultValue={data?.values.email} errors={errors.email} required />
          <button type="submit" disabled={navigation.state === 'submitting'}>
            Send reset link
          </button>
        </Form>
      )}
      <p className="muted">
        <Link to="/login">Back to sign in</Link>
      </p>
    </main>
  );
}
