import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { Field, FormAlert } from '~/components/field';
import { attempt, formObject } from '~/utils/errors';

export const meta: MetaFunction = () => [{ title: 'Settings · Seatwise' }];

export async function loader({ context }: LoaderFunctionArgs) {
  return json({ tenant: await context.trpc.tenant.get() });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const values = formObject(await request.formData());
  const result = await attempt(context, () => context.trpc.tenant.updateSettings(values as never));
  if (!result.ok) return json({ errors: result.errors }, { status: result.status });
  return redirect('/settings?saved=1');
}

export default function Settings() {
  const { tenant } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [search] = useSearchParams();
  const errors = data?.errors.fieldErrors ?? {};
  const t = tenant as Record<string, unknown>;
  return (
    <div className="panel">
      <h1>Settings</h1>
      {search.get('saved') ? <p className="notice">Saved.</p> : null}
      <Form method="post" className="stack">
        <FormAlert message={data && !Object.keys(errors).length ? data.errors.message : null} />
        <Field label="Company name" name="name" defaultValue={String(t.name)} errors={errors.name} />
        <Field label="Workspace address" name="slug" defaultValue={String(t.slug)} disabled hint="Fixed at sign-up." />
        <Field label="Deactivate users inactive for (days)" name="inactivityDays" type="number" min={0} defaultValue={String(t.inactivityDays)} hint="0 turns the inactivity sweep off." errors={errors.inactivityDays} />
        <Field label="Warn users this many days before" name="inactivityWarningDays" type="number" min={0} defaultValue={String(t.inactivityWarningDays)} errors={errors.inactivityWarningDays} />
        <Field label="Lock after this many wrong passwords" name="lockoutThreshold" type="number" min={1} defaultValue={String(t.lockoutThreshold)} errors={errors.lockoutThreshold} />
        <div className="row">
          <Field label="Sign out after idle (minutes)" name="sessionIdleMinutes" type="number" defaultValue={String(t.sessionIdleMinutes)} errors={errors.sessionIdleMinutes} />
          <Field label="Sign out after (hours) in any case" name="sessionAbsoluteHours" type="number" defaultValue={String(t.sessionAbsoluteHours)} errors={errors.sessionAbsoluteHours} />
        </div>
        <button type="submit">Save settings</button>
      </Form>
    </div>
  );
}
