import { getFormProps, useForm, type SubmissionResult } from '@conform-to/react';
import { Form, useNavigation } from '@remix-run/react';
import { confirmed, parseForm } from '~/utils/forms';
import { resetPasswordInput } from '../../server/contract/auth';
import { Field, FormAlert } from './field';

/**
 * The "choose a password" form of the invitation and reset links: the token is in the address,
 * the form carries the password twice. acceptInviteInput and resetPasswordInput share the rule.
 */
export const newPasswordForm = confirmed(resetPasswordInput.pick({ password: true }), 'password');

export function NewPasswordForm({ lastResult, label, repeatLabel, submit }: { lastResult?: SubmissionResult<string[]> | null; label: string; repeatLabel: string; submit: string }) {
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult,
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseForm(formData, newPasswordForm),
  });
  return (
    <Form method="post" className="stack" {...getFormProps(form)}>
      <FormAlert message={form.errors} />
      <Field label={label} meta={fields.password} type="password" autoComplete="new-password" hint="At least 12 characters." minLength={12} required />
      <Field label={repeatLabel} meta={fields.confirm} type="password" autoComplete="new-password" required />
      <button type="submit" disabled={navigation.state === 'submitting'}>
        {submit}
      </button>
    </Form>
  );
}
