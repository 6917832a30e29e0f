import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { getFormProps, useForm } from '@conform-to/react';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { parse as parseCookies } from 'cookie';
import { Field, FormAlert } from '~/components/field';
import { attempt } from '~/utils/errors';
import { parseForm, refusal } from '~/utils/forms';
import { safeRedirect } from '~/utils/redirect';
import { loginInput } from '../../server/contract/auth';
import { SSO_MESSAGE_COOKIE } from '../../server/contract/sso';

export const meta: MetaFunction = () => [{ title: 'Sign in · Seatwise' }];

// Set by the /sso/* endpoints (server/http/sso.ts): a refusal to show once, and the last workspace used here.
const LAST_WORKSPACE_COOKIE = 'seatwise_workspace';
const YEAR = 400 * 24 * 3600;
const workspaceStep = loginInput.pick({ workspace: true });
const rememberWorkspace = (slug: string) => `${LAST_WORKSPACE_COOKIE}=${encodeURIComponent(slug)}; Max-Age=${YEAR}; Path=/; HttpOnly; SameSite=Lax`;

/** A link copied from the end of a sentence brings its punctuation along (`?workspace=acme.`). */
const cleanWorkspace = (value: string | null | undefined) => (value ?? '').replace(/[\s.]+$/, '').trimStart().slice(0, 63);

async function ssoFor(context: LoaderFunctionArgs['context'], workspace: string) {
  if (!/^[a-z0-9][a-z0-9-]*$/i.test(workspace)) return null;
  const found = await attempt(context, () => context.trpc.sso.forWorkspace({ workspace }));
  return found.ok ? found.value : null;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const cookies = parseCookies(request.headers.get('cookie') ?? '');
  // SPEC "Single sign-on": the workspace from ?workspace=, else the one last used on this device.
  const workspace = cleanWorkspace(url.searchParams.get('workspace') ?? cookies[LAST_WORKSPACE_COOKIE]);
  const ssoMessage = cookies[SSO_MESSAGE_COOKIE] ?? null;
  const headers = new Headers();
  if (ssoMessage) headers.append('Set-Cookie', `${SSO_MESSAGE_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax`);
  const redirectTo = safeRedirect(url.searchParams.get('redirectTo'));
  const sso = workspace ? await ssoFor(context, workspace) : null;
  return json(
    {
      workspace,
      redirectTo,
      reset: url.searchParams.get('reset') === 'sent',
      ssoMessage,
      sso: sso ? { ...sso, startUrl: redirectTo !== '/dashboard' ? `${sso.startUrl}?returnTo=${encodeURIComponent(redirectTo)}` : sso.startUrl } : null,
    },
    { headers },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  if (formData.get('intent') === 'sso') {
    const workspace = cleanWorkspace(String(formData.get('workspace') ?? ''));
    const sso = workspace ? await ssoFor(context, workspace) : null;
    if (!sso) {
      const message = workspace ? `No single sign-on is set up for the workspace “${workspace}”. Check its name, or sign in with your email and password.` : 'Enter your workspace to find its sign-in.';
      return json({ result: { status: 'error' as const, initialValue: { workspace }, error: { workspace: [message] } }, locked: false, sso: null }, { status: 400 });
    }
    const redirectTo = safeRedirect(formData.get('redirectTo'));
    return redirect(`/login?workspace=${encodeURIComponent(workspace.toLowerCase())}${redirectTo !== '/dashboard' ? `&redirectTo=${encodeURIComponent(redirectTo)}` : ''}`, {
      headers: { 'Set-Cookie': rememberWorkspace(workspace.toLowerCase()) },
    });
  }
  const submission = parseForm(formData, loginInput);
  if (submission.status !== 'success') return json({ result: submission.reply({ hideFields: ['password'] }), locked: false, sso: null }, { status: 400 });
  const credentials = submission.value;
  const result = await attempt(context, () => context.trpc.auth.login(credentials));
  if (!result.ok) {
    // Password sign-in kept for Owners only: show the way that works, right there.
    const sso = result.errors.data.reason === 'SSO_REQUIRED' ? await ssoFor(context, credentials.workspace.trim()) : null;
    return json({ result: refusal(submission, result.errors, ['password']), locked: result.errors.data.reason === 'LOCKED', sso }, { status: result.status });
  }
  return redirect(result.value.user.mustChangePassword ? '/change-password' : safeRedirect(formData.get('redirectTo')), {
    headers: { 'Set-Cookie': rememberWorkspace(credentials.workspace.trim().toLowerCase()) },
  });
}

export default function Login() {
  const loaded = useLoaderData<typeof loader>();
  const { workspace, redirectTo, reset, ssoMessage } = loaded;
  const data = useActionData<typeof action>();
  const sso = data?.sso ?? loaded.sso;
  // The workspace the offered identity provider belongs to (its start address names it).
  const ssoWorkspace = sso ? decodeURIComponent(sso.startUrl.split('/')[2] ?? '') : '';
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult: data?.result,
    defaultValue: { workspace },
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
    // "Use single sign-on" needs only the workspace.
    onValidate: ({ formData }) =>
      formData.get('intent') === 'sso' ? (parseForm(formData, workspaceStep) as unknown as ReturnType<typeof parseForm<typeof loginInput>>) : parseForm(formData, loginInput),
  });
  const lockedWorkspace = data?.locked && typeof fields.workspace.initialValue === 'string' ? fields.workspace.initialValue : null;
  return (
    <main id="main" className="narrow">
      <Link to="/" className="brand">
        Seatwise
      </Link>
      <h1>Sign in</h1>
      {reset ? <p className="notice">Check your email for a link to choose a new password.</p> : null}
      {ssoMessage ? (
        <div className="alert" role="alert">
          {ssoMessage}
        </div>
      ) : null}
      {sso ? (
        <section className="stack" aria-label="Single sign-on">
          <a className="button" href={sso.startUrl}>
            Continue with {sso.displayName}
          </a>
          <p className="muted">
            Workspace {ssoWorkspace} · <Link to="/login?workspace=">Another workspace</Link>
          </p>
          {sso.passwordSignIn === 'owners' ? <p className="muted">This workspace signs in through {sso.displayName}. Passwords are for Owners only.</p> : <p className="muted">Or sign in with your password:</p>}
        </section>
      ) : null}
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
        {/* Needs only the workspace: the next page offers its identity provider, if it has one. */}
        <button type="submit" name="intent" value="sso" formNoValidate className="secondary">
          Use single sign-on
        </button>
        <p className="muted">
          <Link to="/forgot-password">Forgot your password?</Link> · New here? <Link to="/signup">Create a workspace</Link>
        </p>
      </Form>
    </main>
  );
}
