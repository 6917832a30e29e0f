import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { getFormProps, useForm } from '@conform-to/react';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { Field, FormAlert } from '~/components/field';
import { Select } from '~/components/select';
import { attempt } from '~/utils/errors';
import { parseForm, refusal } from '~/utils/forms';
import { localeOptions, timeZoneGroups, timeZoneLabel } from '~/utils/time-zones';
import { updateProfileInput } from '../../server/contract/me';

export const meta: MetaFunction = () => [{ title: 'Your profile · Seatwise' }];

export async function loader({ context }: LoaderFunctionArgs) {
  // The layout's loader has already sent anyone signed out to the sign-in page.
  const profile = await context.trpc.me.profile();
  return json({ profile });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseForm(await request.formData(), updateProfileInput);
  if (submission.status !== 'success') return json({ result: submission.reply() }, { status: 400 });
  const changes = submission.value;
  const result = await attempt(context, () => context.trpc.me.updateProfile(changes));
  if (!result.ok) return json({ result: refusal(submission, result.errors) }, { status: result.status });
  return redirect('/profile?saved=1');
}

export default function Profile() {
  const { profile } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const [search] = useSearchParams();
  const [form, fields] = useForm({
    lastResult: data?.result,
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseForm(formData, updateProfileInput),
  });
  // After a refused post the form shows what was posted (a cleared field stays blank), else what is stored.
  const remembered = (value: unknown, stored: string) => (data ? (typeof value === 'string' ? value : '') : stored);
  const timeZone = remembered(fields.timeZone.initialValue, profile.timeZone);
  const zoneErrors = fields.timeZone.errors;
  // A display name that is just the names is shown blank, so it follows them when they change.
  const fullName = `${profile.firstName} ${profile.lastName}`;
  return (
    <div className="panel">
      <h1>Your profile</h1>
      <p className="muted">
        {profile.email}. Dates and times are shown to you in your time zone and locale.
      </p>
      {search.get('saved') && !data ? (
        <p className="notice" role="status">
          Profile saved.
        </p>
      ) : null}
      {/* A new key after a save: the fields show what is stored now. */}
      <Form method="post" className="stack" key={String(profile.updatedAt)} {...getFormProps(form)}>
        <FormAlert message={form.errors} />
        <div className="row" style={{ alignItems: 'start' }}>
          <Field label="First name" meta={fields.firstName} defaultValue={remembered(fields.firstName.initialValue, profile.firstName)} autoComplete="given-name" required />
          <Field label="Last name" meta={fields.lastName} defaultValue={remembered(fields.lastName.initialValue, profile.lastName)} autoComplete="family-name" required />
        </div>
        <Field
          label="Display name"
          meta={fields.displayName}
          defaultValue={remembered(fields.displayName.initialValue, profile.displayName === fullName ? '' : profile.displayName)}
          placeholder={fullName}
          hint="How others see you. Leave blank to use your first and last name."
        />
        <div className="row" style={{ alignItems: 'start' }}>
          <label>
            Time zone
            <select
              name={fields.timeZone.name}
              defaultValue={timeZone}
              aria-invalid={zoneErrors?.length ? true : undefined}
              aria-describedby={zoneErrors?.length ? `${fields.timeZone.name}-error` : undefined}
            >
              {timeZoneGroups(timeZone).map((group) => (
                <optgroup key={group.region} label={group.region}>
                  {group.zones.map((zone) => (
                    <option key={zone} value={zone}>
                      {group.region === 'Other' ? zone : `${timeZoneLabel(zone)} (${zone})`}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
            {zoneErrors?.length ? (
              <span className="field-error" id={`${fields.timeZone.name}-error`}>
                {zoneErrors.join(' ')}
              </span>
            ) : null}
          </label>
          <Select label="Locale" meta={fields.locale} defaultValue={remembered(fields.locale.initialValue, profile.locale)} options={localeOptions(remembered(fields.locale.initialValue, profile.locale))} />
        </div>
        <button type="submit" disabled={navigation.state === 'submitting'}>
          Save profile
        </button>
      </Form>
      <p className="muted" style={{ marginTop: '1.5rem' }}>
        To change your password, go to <Link to="/change-password">Change your password</Link>.
      </p>
    </div>
  );
}
