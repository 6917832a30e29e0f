import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { getFormProps, useForm } from '@conform-to/react';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { Field, FormAlert } from '~/components/field';
import { attempt } from '~/utils/errors';
import { parseForm, refusal } from '~/utils/forms';
import { requestPasswordResetInput } from '../../server/contract/auth';

export const meta: MetaFunction = () => [{ title: 'Reset your password · Seatwise' }];

export const loader = ({ request }: LoaderFunctionArgs) =>
  json({ workspace: new URL(request.url).searchParams.get('workspace') ?? '' });

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseForm(await request.formData(), requestPasswordResetInput);
  if (submission.status !== 'success') return json({ sent: null, result: submission.reply() }, { status: 400 });
  const input = submission.value;
  const result = await attempt(context, () => context.trpc.auth.requestPasswordReset(input));
  if (!result.ok) return json({ sent: null, result: refusal(submission, result.errors) }, { status: result.status });
  return json({ sent: result.value.message, result: null });
}

export default function ForgotPassword() {
  const { workspace } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult: data?.result,
    defaultValue: { workspace },
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseForm(formData, requestPasswordResetInput),
  });
  return (
    <main id="main" className="narrow">
      <Link to="/" className="brand">
        Seatwise
      </Link>
      <h1>Reset your password</h1>
      {data?.sent ? (
        <p className="notice" role="status">
          {data.sent}
        </p>
      ) : (
        <Form method="post" className="stack" {...getFormProps(form)}>
          <p className="muted">We will email you a link to choose a new password. It also unlocks a locked account.</p>
          <FormAlert message={form.errors} />
          <Field label="Workspace" meta={fields.workspace} autoCapitalize="none" required />
          <Field label="Email" meta={fields.email} type="email" autoComplete="username" required />
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
