import { getFormProps, useForm } from '@conform-to/react';
import { json, redirect, type ActionFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { Field, FormAlert } from '~/components/field';
import { attempt } from '~/utils/errors';
import { parseForm, refusal } from '~/utils/forms';
import { suggestSlug } from '~/utils/slug';
import { signupInput } from '../../server/contract/auth';

export const meta: MetaFunction = () => [{ title: 'Create your workspace · Seatwise' }];

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  // Without JavaScript nobody saw the suggestion: derive it here, as the page would have.
  const slug = formData.get('slug');
  const companyName = formData.get('companyName');
  if ((typeof slug !== 'string' || !slug.trim()) && typeof companyName === 'string') formData.set('slug', suggestSlug(companyName));
  const submission = parseForm(formData, signupInput);
  if (submission.status !== 'success') return json({ result: submission.reply({ hideFields: ['password'] }) }, { status: 400 });
  const input = submission.value;
  const result = await attempt(context, () => context.trpc.auth.signup(input));
  if (!result.ok) return json({ result: refusal(submission, result.errors, ['password']) }, { status: result.status });
  return redirect('/dashboard');
}

export default function Signup() {
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult: data?.result,
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseForm(formData, signupInput),
  });
  const remembered = (value: unknown) => (typeof value === 'string' ? value : '');
  const [companyName, setCompanyName] = useState(remembered(fields.companyName.initialValue));
  const [slug, setSlug] = useState(remembered(fields.slug.initialValue));
  const [slugEdited, setSlugEdited] = useState(Boolean(fields.slug.initialValue));
  const shownSlug = slugEdited ? slug : suggestSlug(companyName);

  return (
    <main id="main" className="narrow">
      <Link to="/" className="brand">
        Seatwise
      </Link>
      <h1>Create your workspace</h1>
      <p className="muted">Three user seats are included. Add more whenever you need them.</p>
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormAlert message={form.errors} />
        <Field
          label="Company name"
          meta={fields.companyName}
          value={companyName}
          onChange={(e) => setCompanyName(e.target.value)}
          autoComplete="organization"
          required
        />
        <Field
          label="Workspace address"
          hint="Letters, digits and hyphens; 3 to 40 characters. You sign in with it."
          meta={fields.slug}
          value={shownSlug}
          onChange={(e) => {
            setSlugEdited(true);
            setSlug(e.target.value.toLowerCase());
          }}
          autoCapitalize="none"
          spellCheck={false}
        />
        <div className="row">
          <Field label="First name" meta={fields.firstName} autoComplete="given-name" required />
          <Field label="Last name" meta={fields.lastName} autoComplete="family-name" required />
        </div>
        <Field label="Work email" meta={fields.email} type="email" autoComplete="email" required />
        <Field
          label="Password"
          meta={fields.password}
          type="password"
          hint="At least 12 characters."
          autoComplete="new-password"
          minLength={12}
          required
        />
        <button type="submit" disabled={navigation.state === 'submitting'}>
          {navigation.state === 'submitting' ? 'Creating your workspace…' : 'Create workspace'}
        </button>
        <p className="muted">
          Already have a workspace? <Link to="/login">Sign in</Link>
        </p>
      </Form>
    </main>
  );
}
