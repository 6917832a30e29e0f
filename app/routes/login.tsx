import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { Field, FormAlert } from '~/components/field';
import { attempt, formObject } from '~/utils/errors';
import { safeRedirect } from '~/utils/redirect';

export const meta: MetaFunction = () => [{ title: 'Sign in · Seatwise' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  return json({
    workspace: url.searchParams.get('workspace') ?? '',
    redirectTo: safeRedirect(url.searchParams.get('redirectTo')),
    reset: url.searchParams.get('reset') === 'sent',
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { workspace = '', email = '', password = '', redirectTo } = formObject(await request.formData());
  const result = await attempt(context, () => context.trpc.auth.login({ workspace, email, password }));
  if (!result.ok) return json({ errors: result.errors, values: { workspace, email } }, { status: result.status });
  return redirect(result.value.user.mustChangePassword ? '/change-password' : safeRedirect(redirectTo));
}

export default function Login() {
  const { workspace, redirectTo, reset } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const errors = data?.errors.fieldErrors ?? {};
  const locked = data?.errors.data.reason === 'LOCKED';
  return (
    <main className="narrow">
      <Link to="/" className="brand">
        Seatwise
      </Link>
      <h1>Sign in</h1>
      {reset ? <p className="notice">Check your email for a link to choose a new password.</p> : null}
      <Form method="post" className="stack">
        <FormAlert message={Object.keys(errors).length ? null : data?.errors.message} />
        {locked ? (
          <p>
            <Link to={`/forgot-password?workspace=${encodeURIComponent(data?.values.workspace ?? '')}`}>Reset your password</Link>
          </p>
        ) : null}
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Field label="Workspace" name="workspace" defaultValue={data?.values.workspace ?? workspace} autoCapitalize="none" spellCheck={false} errors={errors.workspace} required />
        <Field label="Email" name="email" type="email" autoComplete="username" defaultValue={data?.values.email} errors={errors.email} required />
        <Field label="Password" name="password" type="password" autoComplete="current-password" errors={errors.password} required />
        <button type="submit" disabled={navigation.state === 'submitting'}>
          {navigation.state === 'submitting' ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted">
          <Link to="/forgot-password">Forgot your password?</Link> · New here? <Link to="/signup">Create a workspace</Link>
        </p>
      </Form>
    </main>
  );
}
