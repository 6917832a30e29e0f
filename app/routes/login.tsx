import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { getFormProps, useForm } from '@conform-to/react';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { Field, FormAlert } from '~/components/field';
import { attempt } from '~/utils/errors';
import { parseForm, refusal } from '~/utils/forms';
import { safeRedirect } from '~/utils/redirect';
import { loginInput } from '../../server/contract/auth';

export const meta: MetaFunction = () => [{ title: 'Sign in · Seatwise' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  return json({
    // A link copied from the end of a sentence brings its punctuation along (`?workspace=acme.`).
    workspace: (url.searchParams.get('workspace') ?? '').replace(/[\s.]+$/, '').trimStart(),
    redirectTo: safeRedirect(url.searchParams.get('redirectTo')),
    reset: url.searchParams.get('reset') === 'sent',
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  const submission = parseForm(formData, loginInput);
  if (submission.status !== 'success') return json({ result: submission.reply({ hideFields: ['password'] }), locked: false }, { status: 400 });
  const credentials = submission.value;
  const result = await attempt(context, () => context.trpc.auth.login(credentials));
  if (!result.ok) return json({ result: refusal(submission, result.errors, ['password']), locked: result.errors.data.reason === 'LOCKED' }, { status: result.status });
  return redirect(result.value.user.mustChangePassword ? '/change-password' : safeRedirect(formData.get('redirectTo')));
}

export default function Login() {
  const { workspace, redirectTo, reset } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult: data?.result,
    defaultValue: { workspace },
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseForm(formData, loginInput),
  });
  const lockedWorkspace = data?.locked && typeof fields.workspace.initialValue === 'string' ? fields.workspace.initialValue : null;
  return (
    <main id="main" className="narrow">
      <Link to="/" className="brand">
        Seatwise
      </Link>
      <h1>Sign in</h1>
      {reset ? <p className="notice">Check your email for a link to choose a new password.</p> : null}
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormAlert message={form.errors} />
        {lockedWorkspace !== null ? (
          <p>
            <Link to={`/forgot-password?workspace=${encodeURIComponent(lockedWorkspace)}`}>Reset your password</Link>
          </p>
        ) : null}
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Field label="Workspace" meta={fields.workspace} autoCapitalize="none" spellCheck={false} required />
        <Field label="Email" meta={fields.email} type="email" autoComplete="username" required />
        <Field label="Password" meta={fields.password} type="password" autoComplete="current-password" required />
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
