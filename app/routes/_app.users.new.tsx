import { getFormProps, useForm } from '@conform-to/react';
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { Field, FormAlert } from '~/components/field';
import { Select } from '~/components/select';
import { CheckoutReturnNotice, NoFreeSeats, SeatRefusal } from '~/components/seat-refusal';
import { attempt, seatRefusalOf } from '~/utils/errors';
import { clearUserDraft, readUserDraft, saveUserDraft } from '~/utils/user-draft.server';
import { blankAsAbsent, parseForm, refusal } from '~/utils/forms';
import { AUDIENCE_OF_KIND, SEAT_LABELS, SEAT_TYPES, seatWord, type SeatType } from '../../server/contract/seats';
import { createUserInput } from '../../server/contract/users';

export const meta: MetaFunction = () => [{ title: 'New user · Seatwise' }];

/** Left blank, the role is the kind's default and the time zone and locale the workspace's. */
const newUserForm = createUserInput.extend({
  roleId: blankAsAbsent(createUserInput.shape.roleId.unwrap()),
  timeZone: blankAsAbsent(createUserInput.shape.timeZone.unwrap()),
  locale: blankAsAbsent(createUserInput.shape.locale.unwrap()),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const search = new URL(request.url).searchParams;
  const [roles, seats] = await Promise.all([context.trpc.roles.list(), context.trpc.seats.summary()]);
  // Back from Checkout (issue #18): the user the seat was bought for, as it was typed.
  const back = search.has('seatsAdded') || search.get('checkout') === 'canceled';
  const asked = SEAT_TYPES.find((t) => t === search.get('kind'));
  const saved = back ? await readUserDraft(request) : null;
  // A draft of another kind is not the one these seats were bought for.
  const draft = saved && (!asked || saved.kind === asked) ? saved : null;
  return json({ roles, seats, draft: { ...draft, kind: asked ?? SEAT_TYPES.find((t) => t === draft?.kind) } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseForm(await request.formData(), newUserForm);
  if (submission.status !== 'success') return json({ result: submission.reply(), seatRefusal: null }, { status: 400 });
  const input = submission.value;
  const result = await attempt(context, () => context.trpc.users.create(input));
  if (!result.ok) {
    const seatRefusal = seatRefusalOf(result.errors);
    const headers = seatRefusal ? { 'Set-Cookie': await saveUserDraft(submission.payload) } : undefined;
    return json({ result: refusal(submission, result.errors), seatRefusal }, { status: result.status, headers });
  }
  return redirect(`/users/${result.value.id}?created=1`, { headers: { 'Set-Cookie': await clearUserDraft() } });
}

const isSeatType = (value: unknown): value is SeatType => SEAT_TYPES.some((t) => t === value);

export default function NewUser() {
  const { roles, seats, draft } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult: data?.result,
    defaultValue: draft,
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseForm(formData, newUserForm),
  });
  const [kind, setKind] = useState<SeatType>(isSeatType(fields.kind.initialValue) ? fields.kind.initialValue : 'standard');
  // Without JavaScript every role is listed and the server enforces the audience rule.
  const offered = roles.filter((r) => r.audience === AUDIENCE_OF_KIND[kind]);
  return (
    <div className="panel">
      <h1>New user</h1>
      <CheckoutReturnNotice />
      {/* Its buy button is a form of its own, so it sits outside this one. */}
      {data?.seatRefusal ? <SeatRefusal refusal={data.seatRefusal} returnTo={`/users/new?kind=${data.seatRefusal.seatType}`} /> : null}
      <Form method="post" className="stack" {...getFormProps(form)}>
        {data?.seatRefusal ? null : <FormAlert message={form.errors} />}
        <Select
          label="Kind"
          meta={fields.kind}
          value={kind}
          onChange={(e) => setKind(isSeatType(e.target.value) ? e.target.value : 'standard')}
          options={SEAT_TYPES.map((k) => ({
            value: k,
            label: `${SEAT_LABELS[k]} (${seats[k].available} of ${seats[k].purchased} ${seatWord(seats[k].purchased)} free)`,
          }))}
        />
        <NoFreeSeats seats={seats} returnTo={(k) => `/users/new?kind=${k}`} />
        <div className="row">
          <Field label="First name" meta={fields.firstName} required />
          <Field label="Last name" meta={fields.lastName} required />
        </div>
        <Field label="Email" meta={fields.email} type="email" required />
        <div className="row">
          <Field label="Display name" meta={fields.displayName} hint="Optional" />
          <Field label="User name" meta={fields.userName} hint="Optional, unique" />
        </div>
        <Select
          label="Role"
          meta={fields.roleId}
          key={kind}
          options={[{ value: '', label: 'Default for this kind' }, ...offered.map((r) => ({ value: r.id, label: r.name }))]}
        />
        <div className="row">
          <Field label="Time zone" meta={fields.timeZone} placeholder="UTC" />
          <Field label="Locale" meta={fields.locale} placeholder="en" />
        </div>
        <Field label="SAML name id" meta={fields.samlNameId} hint="Optional" />
        <p className="muted">{kind === 'api' ? 'API users are active at once and authenticate with API keys.' : 'We email an invitation to set a password.'}</p>
        <button type="submit" disabled={navigation.state === 'submitting'}>
          Create user
        </button>
      </Form>
    </div>
  );
}
