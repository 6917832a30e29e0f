import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { getFormProps, useForm } from '@conform-to/react';
import { Form, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { Field, FormAlert } from '~/components/field';
import { SettingsTabs } from '~/components/settings-tabs';
import { attempt, requirePermission } from '~/utils/errors';
import { requireMe } from '~/utils/session.server';
import { parseForm, refusal } from '~/utils/forms';
import { updateSettingsInput } from '../../server/contract/tenant';
import { inactivityPreviewInput } from '../../server/contract/users';

export const meta: MetaFunction = () => [{ title: 'Settings · Seatwise' }];

export async function loader({ context, request }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  // The preview's own fields, so that trying numbers never looks like editing the settings above.
  const asked = parseForm(
    new URLSearchParams({ inactivityDays: params.get('previewDays') ?? '', inactivityWarningDays: params.get('previewWarningDays') ?? '' }),
    inactivityPreviewInput,
    { blank: 'absent' },
  );
  const what = asked.status === 'success' ? asked.value : {};
  requirePermission(await requireMe(context, request), 'settings.manage');
  const [tenant, preview] = await Promise.all([context.trpc.tenant.get(), context.trpc.users.inactivityPreview(what)]);
  return json({ tenant, preview });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseForm(await request.formData(), updateSettingsInput);
  if (submission.status !== 'success') return json({ result: submission.reply() }, { status: 400 });
  const settings = submission.value;
  const result = await attempt(context, () => context.trpc.tenant.updateSettings(settings));
  if (!result.ok) return json({ result: refusal(submission, result.errors) }, { status: result.status });
  return redirect('/settings?saved=1');
}

export default function Settings() {
  const { tenant, preview } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [search] = useSearchParams();
  const [form, fields] = useForm({
    lastResult: data?.result,
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseForm(formData, updateSettingsInput),
  });
  const t = tenant as Record<string, unknown>;
  return (
    <div className="panel">
      <h1>Settings</h1>
      <SettingsTabs />
      {search.get('saved') && !data ? <p className="notice">Saved.</p> : null}
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormAlert message={form.errors} />
        <Field label="Company name" meta={fields.name} defaultValue={String(t.name)} />
        <Field label="Workspace address" name="slug" defaultValue={String(t.slug)} disabled hint="Fixed at sign-up." />
        <Field label="Deactivate users inactive for (days)" meta={fields.inactivityDays} type="number" min={0} defaultValue={String(t.inactivityDays)} hint="0 turns the inactivity sweep off." />
        <Field label="Warn users this many days before" meta={fields.inactivityWarningDays} type="number" min={0} defaultValue={String(t.inactivityWarningDays)} />
        <Field label="Lock after this many wrong passwords" meta={fields.lockoutThreshold} type="number" min={1} defaultValue={String(t.lockoutThreshold)} />
        <div className="row">
          <Field label="Sign out after idle (minutes)" meta={fields.sessionIdleMinutes} type="number" defaultValue={String(t.sessionIdleMinutes)} />
          <Field label="Sign out after (hours) in any case" meta={fields.sessionAbsoluteHours} type="number" defaultValue={String(t.sessionAbsoluteHours)} />
        </div>
        <button type="submit">Save settings</button>
      </Form>
      <section style={{ marginTop: '2rem' }} aria-label="Inactivity preview">
        <h2>Inactivity preview</h2>
        <Form method="get" className="toolbar">
          <Field label="If inactive for (days)" name="previewDays" type="number" min={0} defaultValue={String(preview.inactivityDays)} />
          <Field label="Warn (days before)" name="previewWarningDays" type="number" min={0} defaultValue={String(preview.inactivityWarningDays)} />
          <button type="submit" className="secondary">
            Preview
          </button>
        </Form>
        {preview.inactivityDays === 0 ? (
          <p className="muted">The inactivity sweep is off.</p>
        ) : (
          <>
            <p>
              At the next run (daily, 03:00 UTC) <strong>{preview.deactivate.length}</strong> {preview.deactivate.length === 1 ? 'user' : 'users'} would be deactivated and{' '}
              <strong>{preview.warn.length}</strong> warned.
            </p>
            <ul>
              {preview.deactivate.map((u) => (
                <li key={u.id}>
                  Deactivate {u.name} &lt;{u.email}&gt; (last active {String(u.lastActivity).slice(0, 10)})
                </li>
              ))}
              {preview.warn.map((u) => (
                <li key={u.id}>
                  Warn {u.name} &lt;{u.email}&gt;: deactivation on {String(u.deactivationDate).slice(0, 10)}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </div>
  );
}
