import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { Field, FormAlert } from '~/components/field';
import { Select } from '~/components/select';
import { KIND_LABELS } from '~/components/status-badge';
import { attempt, formObject } from '~/utils/errors';

export const meta: MetaFunction = () => [{ title: 'New user · Seatwise' }];

const AUDIENCE = { standard: 'internal', client: 'client', api: 'api' } as const;

export async function loader({ context }: LoaderFunctionArgs) {
  const [roles, seats] = await Promise.all([context.trpc.roles.list(), context.trpc.seats.summary()]);
  return json({ roles, seats });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const values = formObject(await request.formData());
  const input = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '')) as Record<string, string>;
  const result = await attempt(context, () => context.trpc.users.create(input as never));
  if (!result.ok) return json({ errors: result.errors, values }, { status: result.status });
  return redirect(`/users/${result.value.id}?created=1`);
}

export default function NewUser() {
  const { roles, seats } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const [kind, setKind] = useState<keyof typeof AUDIENCE>((data?.values.kind as keyof typeof AUDIENCE) ?? 'standard');
  const errors = data?.errors.fieldErrors ?? {};
  // Without JavaScript every role is listed and the server enforces the audience rule.
  const offered = roles.filter((r) => r.audience === AUDIENCE[kind]);
  const topMessage = data && (data.errors.data.reason === 'SEAT_LIMIT' || !Object.keys(errors).length) ? data.errors.message : null;
  return (
    <div className="panel">
      <h1>New user</h1>
      <Form method="post" className="stack">
        <FormAlert message={topMessage} />
        <Select
          label="Kind"
          name="kind"
          value={kind}
          onChange={(e) => setKind(e.target.value as keyof typeof AUDIENCE)}
          options={(['standard', 'client', 'api'] as const).map((k) => ({
            value: k,
            label: `${KIND_LABELS[k]} (${seats[k].available} of ${seats[k].purchased} seats free)`,
          }))}
          errors={errors.kind}
        />
        <div className="row">
          <Field label="First name" name="firstName" defaultValue={data?.values.firstName} errors={errors.firstName} required />
          <Field label="Last name" name="lastName" defaultValue={data?.values.lastName} errors={errors.lastName} required />
        </div>
        <Field label="Email" name="email" type="email" defaultValue={data?.values.email} errors={errors.email} required />
        <div className="row">
          <Field label="Display name" name="displayName" hint="Optional" defaultValue={data?.values.displayName} errors={errors.displayName} />
          <Field label="User name" name="userName" hint="Optional, unique" defaultValue={data?.values.userName} errors={errors.userName} />
        </div>
        <Select
          label="Role"
          name="roleId"
          defaultValue={data?.values.roleId ?? ''}
          key={kind}
          options={[{ value: '', label: 'Default for this kind' }, ...offered.map((r) => ({ value: r.id, label: r.name }))]}
          errors={errors.roleId}
        />
        <div className="row">
          <Field label="Time zone" name="timeZone" placeholder="UTC" defaultValue={data?.values.timeZone} errors={errors.timeZone} />
          <Field label="Locale" name="locale" placeholder="en" defaultValue={data?.values.locale} errors={errors.locale} />
        </div>
        <Field label="SAML name id" name="samlNameId" hint="Optional" defaultValue={data?.values.samlNameId} errors={errors.samlNameId} />
        <p className="muted">{kind === 'api' ? 'API users are active at once and authenticate with API keys.' : 'We email an invitation to set a password.'}</p>
        <button type="submit" disabled={navigation.state === 'submitting'}>
          Create user
        </button>
      </Form>
    </div>
  );
}
