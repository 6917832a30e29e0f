import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { FormAlert } from '~/components/field';
import { NewPasswordForm, newPasswordForm } from '~/components/new-password-form';
import { SsoRequired, ssoRequired } from '~/components/sso-required';
import { attempt } from '~/utils/errors';
import { parseForm, refusal } from '~/utils/forms';

export const meta: MetaFunction = () => [{ title: 'Choose a new password · Seatwise' }];

/**
 * Issue #18: the link is checked when the page opens (auth.resetLinkInfo uses nothing up): 200 with
 * whose password it sets, a dead link 410 (404 when it cannot even be a link), without the form.
 */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const result = await attempt(context, () => context.trpc.auth.resetLinkInfo({ token: params.token ?? '' }));
  if (result.ok) return json({ link: result.value, dead: null });
  // Mistyped (the token's own message) or used, expired, replaced (the procedure's).
  return json({ link: null, dead: result.errors.fieldErrors.token?.[0] ?? result.errors.message }, { status: result.status === 400 ? 404 : 410 });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const submission = parseForm(await request.formData(), newPasswordForm);
  const hidden = ['password', 'confirm'];
  if (submission.status !== 'success') return json({ result: submission.reply({ hideFields: hidden }), linkDead: false, sso: null }, { status: 400 });
  const { password } = submission.value;
  const result = await attempt(context, () => context.trpc.auth.resetPassword({ token: params.token ?? '', password }));
  if (!result.ok) {
    // Owners-only password sign-in: the password is saved, but the way in is single sign-on.
    const sso = ssoRequired(result.errors);
    if (sso) return json({ result: submission.reply({ hideFields: hidden }), linkDead: false, sso }, { status: result.status });
    // The link itself is refused (malformed, used, expired): said on top, with the way out.
    const { token, ...onFields } = result.errors.fieldErrors;
    const errors = token ? { ...result.errors, fieldErrors: onFields } : result.errors;
    return json({ result: refusal(submission, errors, hidden), linkDead: !Object.keys(onFields).length, sso: null }, { status: result.status });
  }
  return redirect('/dashboard');
}

export default function ResetPassword() {
  const { link, dead } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  return (
    <main id="main" className="narrow">
      <Link to="/" className="brand">
        Seatwise
      </Link>
      <h1>Choose a new password</h1>
      {data?.sso ? (
        <SsoRequired {...data.sso} />
      ) : !link || data?.linkDead ? (
        <div className="stack">
          <FormAlert message={link ? data?.result.error?.[''] : dead} />
          <p>
            <Link to="/forgot-password">Request a new link</Link>
          </p>
        </div>
      ) : (
        <>
          <p>
            For <strong className="account">{link.email}</strong> in <strong>{link.workspace}</strong>.
          </p>
          <NewPasswordForm lastResult={data?.result} label="New password" repeatLabel="Repeat the new password" submit="Set password and sign in" />
        </>
      )}
    </main>
  );
}
