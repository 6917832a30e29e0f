import { Form, useNavigation } from '@remix-run/react';
import { Field, FormAlert } from './field';

export type NewPasswordResult = { message: string | null; fieldErrors: Record<string, string[]> };

/** Both passwords typed alike, or the field error a person expects, before any server call. */
export function mismatch(password: string, confirm: string): NewPasswordResult | null {
  return password === confirm ? null : { message: null, fieldErrors: { confirm: ['The two passwords do not match.'] } };
}

/** The "choose a password" form of the invitation and reset links. */
export function NewPasswordForm({ data, label, repeatLabel, submit }: { data?: NewPasswordResult; label: string; repeatLabel: string; submit: string }) {
  const navigation = useNavigation();
  const errors = data?.fieldErrors ?? {};
  return (
    <Form method="post" className="stack">
      <FormAlert message={Object.keys(errors).length ? null : data?.message} />
      <Field label={label} name="password" type="password" autoComplete="new-password" hint="At least 12 characters." errors={errors.password ?? errors.token} minLength={12} required />
      <Field label={repeatLabel} name="confirm" type="password" autoComplete="new-password" errors={errors.confirm} required />
      <button type="submit" disabled={navigation.state === 'submitting'}>
        {submit}
      </button>
    </Form>
  );
}
