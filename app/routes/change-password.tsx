import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { getFormProps, useForm } from '@conform-to/react';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { Field, FormAlert } from '~/components/field';
import { attempt } from '~/utils/errors';
import { confirmed, parseForm, refusal } from '~/utils/forms';
import { changePasswordInput } from '../../server/contract/auth';
import { requireMe } from '~/utils/session.server';

export const meta: MetaFunction = () => [{ title: 'Change your password · Seatwise' }];

export async function loader({ context, request }: LoaderFunctionArgs) {
  const me = await requireMe(context, request);
  return json({ required: me.user.mustChangePassword });
}

const changePasswordForm = confirmed(changePasswordInput, 'newPassword');
const PASSWORDS = ['currentPassword', 'newPassword', 'confirm'];

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseForm(await request.formData(), changePasswordForm);
  if (submission.status !== 'success') return json({ result: submission.reply({ hideFields: PASSWORDS }) }, { status: 400 });
  const { currentPassword, newPassword } = submission.value;
  const result = await attempt(context, () => context.trpc.auth.changePassword({ currentPassword, newPassword }));
  if (!result.ok) return json({ result: refusal(submission, result.errors, PASSWORDS) }, { status: result.status });
  return redirect('/dashboard?password=changed');
}

export default function ChangePassword() {
  const { required } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult: data?.result,
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseForm(formData, changePasswordForm),
  });
  return (
    <main id="main" className="narrow">
      <span className="brand">Seatwise</span>
      <h1>Change your password</h1>
      {required ? <p className="banner">Your administrator asks you to choose a new password before you continue.</p> : null}
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormAlert message={form.errors} />
        <Field label="Current password" meta={fields.currentPassword} type="password" autoComplete="current-password" required />
        <Field label="New password" meta={fields.newPassword} type="password" autoComplete="new-password" hint="At least 12 characters. Other browsers signed in as you will be signed out." minLength={12} required />
        <Field label="Repeat the new password" meta={fields.confirm} type="password" autoComplete="new-password" required />
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
