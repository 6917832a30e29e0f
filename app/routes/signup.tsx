import { json, redirect, type ActionFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { Field, FormAlert } from '~/components/field';
import { attempt, formObject } from '~/utils/errors';
import { suggestSlug } from '~/utils/slug';

export const meta: MetaFunction = () => [{ title: 'Create your workspace · Seatwise' }];

export async function action({ request, context }: ActionFunctionArgs) {
  const values = formObject(await request.formData());
  // Without JavaScript nobody saw the suggestion: derive it here, as the page would have.
  const input: Record<string, string> = { ...values, slug: values.slug?.trim() || suggestSlug(values.companyName ?? '') };
  const result = await attempt(context, () => context.trpc.auth.signup(input as never));
  if (!result.ok) {
    const { password: _password, ...echo } = input;
    return json({ errors: result.errors, values: echo }, { status: result.status });
  }
  return redirect('/dashboard');
}

export default function Signup() {
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const errors = data?.errors.fieldErrors ?? {};
  const [companyName, setCompanyName] = useState(data?.values.companyName ?? '');
  const [slug, setSlug] = useState(data?.values.slug ?? '');
  const [slugEdited, setSlugEdited] = useState(Boolean(data?.values.slug));
  const shownSlug = slugEdited ? slug : suggestSlug(companyName);
  const topMessage = data && Object.keys(errors).length === 0 ? data.errors.message : null;

  return (
    <main className="narrow">
      <Link to="/" className="brand">
        Seatwise
      </Link>
      <h1>Create your workspace</h1>
      <p className="muted">Three user seats are included. Add more whenever you need them.</p>
      <Form method="post" className="stack" noValidate>
        <FormAlert message={topMessage} />
        <Field
          label="Company name"
          name="companyName"
          value={companyName}
          onChange={(e) => setCompanyName(e.target.value)}
          autoComplete="organization"
          errors={errors.companyName}
          required
        />
        <Field
          label="Workspace address"
          hint="Letters, digits and hyphens; 3 to 40 characters. You sign in with it."
          name="slug"
          value={shownSlug}
          onChange={(e) => {
            setSlugEdited(true);
            setSlug(e.target.value.toLowerCase());
          }}
          errors={errors.slug}
          autoCapitalize="none"
          spellCheck={false}
        />
        <div className="row">
          <Field label="First name" name="firstName" defaultValue={data?.values.firstName} autoComplete="given-name" errors={errors.firstName} required />
          <Field label="Last name" name="lastName" defaultValue={data?.values.lastName} autoComplete="family-name" errors={errors.lastName} required />
        </div>
        <Field label="Work email" name="email" type="email" defaultValue={data?.values.email} autoComplete="email" errors={errors.email} required />
        <Field
          label="Password"
          name="password"
          type="password"
          hint="At least 12 characters."
          autoComplete="new-password"
          errors={errors.password}
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
