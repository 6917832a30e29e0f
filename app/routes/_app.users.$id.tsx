import { getFormProps, useForm } from '@conform-to/react';
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { z } from 'zod';
import { Field, FormAlert } from '~/components/field';
import { Select } from '~/components/select';
import { AuditTable } from '~/components/audit-table';
import { LoginHistoryTable } from '~/components/login-history-table';
import { Time } from '~/components/time';
import { KeyBadge, StatusBadge } from '~/components/status-badge';
import { CheckoutReturnNotice, SeatRefusal } from '~/components/seat-refusal';
import { attempt, seatRefusalOf, trpcCode } from '~/utils/errors';
import { blankAsAbsent, parseForm, refusal } from '~/utils/forms';
import { requireMe } from '~/utils/session.server';
import { createApiKeyInput, revokeApiKeyInput } from '../../server/contract/api-keys';
import { isoDateTimeSchema } from '../../server/contract/fields';
import { AUDIENCE_OF_KIND, SEAT_LABELS } from '../../server/contract/seats';
import { ADMIN_TRANSITIONS, MAY_RESET_PASSWORD, SEAT_HOLDING, endsAccess, mayGetInvitation, statusOnReactivation } from '../../server/contract/statuses';
import { requirePasswordChangeInput, setRoleInput, setStatusInput, updateUserInput } from '../../server/contract/users';
import { TableScroll } from '~/components/table-scroll';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.user.displayName ?? 'User'} · Seatwise` }];

const TABS = [
  ['details', 'Details'],
  ['role', 'Role & permissions'],
  ['status', 'Status'],
  ['history', 'Login history'],
  ['audit', 'Audit'],
  ['keys', 'API keys'],
] as const;

/**
 * The page's forms, each the contract's input without the user id (the address carries it) and
 * with the button's intent. An unchecked checkbox posts nothing: here it means "not exempt".
 */
const detailsForm = updateUserInput.omit({ id: true }).extend({ intent: z.literal('update'), exemptFromInactivity: z.boolean().default(false) });
const roleForm = setRoleInput.omit({ id: true }).extend({ intent: z.literal('setRole') });
const statusForm = setStatusInput.omit({ id: true }).extend({ intent: z.literal('setStatus'), reason: blankAsAbsent(setStatusInput.shape.reason.unwrap()) });
const passwordChangeForm = requirePasswordChangeInput.omit({ id: true }).extend({ intent: z.literal('requirePasswordChange') });
/** The date picker gives a day; the key works until that day ends (UTC). */
const expiryDay = z.iso
  .date('Use a date such as 2026-12-31')
  .transform((day) => `${day}T23:59:59Z`)
  .pipe(isoDateTimeSchema);
const createKeyForm = createApiKeyInput.omit({ userId: true }).extend({ intent: z.literal('createKey'), expiresAt: blankAsAbsent(expiryDay) });
const revokeKeyForm = z.object({ intent: z.literal('revokeKey'), keyId: revokeApiKeyInput.shape.id });
const userPageForm = z.discriminatedUnion('intent', [
  detailsForm,
  roleForm,
  statusForm,
  passwordChangeForm,
  z.object({ intent: z.literal('sendPasswordReset') }),
  z.object({ intent: z.literal('resendInvitation') }),
  createKeyForm,
  revokeKeyForm,
]);
type UserPageForm = z.output<typeof userPageForm>;
const TAB_AFTER: Partial<Record<UserPageForm['intent'], string>> = { update: 'details', setRole: 'role', revokeKey: 'keys' };

/**
 * The id in the address is checked by the procedures' own schema; a segment that cannot be a user
 * id names no user, so the page is a 404 like an unknown id's (SPEC §7), not a form error.
 */
async function orNotFound<T>(context: LoaderFunctionArgs['context'], call: Promise<T>) {
  try {
    return await call;
  } catch (error) {
    if (trpcCode(error) === 'BAD_REQUEST' && context.errorDetails(error).fieldErrors.id) throw json('User not found', { status: 404 });
    throw error;
  }
}

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const id = params.id!;
  const search = new URL(request.url).searchParams;
  const tab = search.get('tab') ?? 'details';
  const cursor = search.get('cursor') ?? undefined;
  const [user, access, roles, me] = await orNotFound(
    context,
    Promise.all([context.trpc.users.get({ id }), context.trpc.users.permissions({ id }), context.trpc.roles.list(), requireMe(context, request)]),
  );
  const history = tab === 'history' ? await context.trpc.users.loginHistory({ id, cursor, limit: 25 }) : null;
  const audit = tab === 'audit' && me.permissions.includes('audit.read') ? await context.trpc.audit.list({ targetId: id, cursor, limit: 25 }) : null;
  const canManage = me.permissions.includes('users.manage');
  const keys = tab === 'keys' && user.kind === 'api' && canManage ? await context.trpc.apiKeys.list({ userId: id }) : null;
  return json({ user, access, roles, history, audit, keys, tab, isSelf: me.user.id === id, canManage });
}

export async function action({ params, request, context }: ActionFunctionArgs) {
  const id = params.id!;
  const submission = parseForm(await request.formData(), userPageForm);
  if (submission.status !== 'success') {
    const intent = submission.payload.intent;
    // A button this page does not have (a tampered or stale form) does nothing.
    const unknown = submission.error?.intent ? ['Unknown action.'] : undefined;
    return json({ intent: typeof intent === 'string' ? intent : null, result: submission.reply({ formErrors: unknown }), newKey: null, seatRefusal: null }, { status: 400 });
  }
  const form = submission.value;
  if (form.intent === 'createKey') {
    const created = await attempt(context, () => context.trpc.apiKeys.create({ userId: id, name: form.name, expiresAt: form.expiresAt }));
    if (!created.ok) return json({ intent: form.intent, result: refusal(submission, created.errors), newKey: null, seatRefusal: null }, { status: created.status });
    // The key is shown this once, in the response to its creation; it is never stored to show again.
    return json({ intent: form.intent, result: null, newKey: { key: created.value.key, name: created.value.name }, seatRefusal: null });
  }
  const result = await attempt(context, () => perform(context, id, form));
  if (!result.ok) {
    // Issue #18: a reactivation refused for want of a seat offers it, and comes back to this confirmation.
    const details = seatRefusalOf(result.errors);
    const seatRefusal = details && form.intent === 'setStatus' ? { ...details, returnTo: `/users/${id}?tab=status&to=${form.status}` } : null;
    return json({ intent: form.intent, result: refusal(submission, result.errors), newKey: null, seatRefusal }, { status: result.status });
  }
  const tab = TAB_AFTER[form.intent] ?? 'status';
  return redirect(`/users/${id}?tab=${tab}&done=${form.intent}`);
}

async function perform(context: ActionFunctionArgs['context'], id: string, form: Exclude<UserPageForm, { intent: 'createKey' }>): Promise<unknown> {
  switch (form.intent) {
    case 'update': {
      const { intent: _, ...changes } = form;
      return context.trpc.users.update({ id, ...changes });
    }
    case 'setRole':
      return context.trpc.users.setRole({ id, roleId: form.roleId });
    case 'setStatus':
      return context.trpc.users.setStatus({ id, status: form.status, reason: form.reason });
    case 'requirePasswordChange':
      return context.trpc.users.requirePasswordChange({ id, required: form.required });
    case 'sendPasswordReset':
      return context.trpc.users.sendPasswordReset({ id });
    case 'resendInvitation':
      return context.trpc.users.resendInvitation({ id });
    case 'revokeKey':
      return context.trpc.apiKeys.revoke({ id: form.keyId });
  }
}

const NOTICES: Record<string, string> = {
  update: 'Saved.',
  setRole: 'Role changed. The user was signed out everywhere.',
  setStatus: 'Status changed.',
  requirePasswordChange: 'Saved.',
  sendPasswordReset: 'A password reset link is on its way.',
  resendInvitation: 'A new invitation is on its way; the previous link no longer works.',
  revokeKey: 'The key was revoked. Requests with it now fail.',
};

export default function UserDetail() {
  const { user } = useLoaderData<typeof loader>();
  // Another user's page is a new set of forms, not this one's state with other values.
  return <UserPage key={user.id} />;
}

function UserPage() {
  const { user, access, roles, history, audit, keys, tab, isSelf, canManage } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [search] = useSearchParams();
  const lastResult = (intent: UserPageForm['intent']) => (data?.intent === intent ? data.result : undefined);
  const [details, detailFields] = useForm({
    id: 'details',
    lastResult: lastResult('update'),
    defaultValue: {
      firstName: user.firstName,
      lastName: user.lastName,
      displayName: user.displayName,
      email: user.email,
      userName: user.userName ?? '',
      timeZone: user.timeZone,
      locale: user.locale,
      samlNameId: user.samlNameId ?? '',
    },
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseForm(formData, detailsForm),
  });
  const [, roleFields] = useForm({ id: 'role', lastResult: lastResult('setRole') });
  const [statusChange, statusFields] = useForm({
    id: 'status',
    lastResult: lastResult('setStatus'),
    shouldValidate: 'onBlur',
    onValidate: ({ formData }) => parseForm(formData, statusForm),
  });
  const [newKey, keyFields] = useForm({
    id: 'new-key',
    lastResult: lastResult('createKey'),
    shouldValidate: 'onBlur',
    onValidate: ({ formData }) => parseForm(formData, createKeyForm),
  });
  const formErrors = data?.result?.error?.[''];
  const confirm = ADMIN_TRANSITIONS[user.status].find((t) => t.to === search.get('to'));
  // A move to active lands where the status rules say: someone who never set a password is invited again.
  const lands = confirm?.to === 'active' ? statusOnReactivation({ kind: user.kind, hasPassword: user.hasPassword }) : confirm?.to;
  const done = search.get('done');
  const audience = AUDIENCE_OF_KIND[user.kind];
  return (
    <>
      <p>
        <Link to="/users">← Users</Link>
      </p>
      <h1>
        {user.displayName} <StatusBadge status={user.status} />
      </h1>
      <p className="muted">
        {SEAT_LABELS[user.kind]} · {user.email} · {access.role.name}
        {user.statusReason ? ` · Reason: ${user.statusReason}` : ''}
      </p>
      {search.get('created') ? (
        <p className="notice">{user.kind === 'api' ? 'API user created.' : `Invitation sent to ${user.email}.`}</p>
      ) : null}
      {done && NOTICES[done] ? <p className="notice">{NOTICES[done]}</p> : null}
      <CheckoutReturnNotice />
      {data?.seatRefusal ? <SeatRefusal refusal={data.seatRefusal} returnTo={data.seatRefusal.returnTo} /> : <FormAlert message={formErrors} />}
      <nav className="tabs">
        {TABS.filter(([key]) => (user.kind === 'api' ? key !== 'history' : key !== 'keys')).map(([key, label]) => (
          <Link key={key} to={`?tab=${key}`} className={tab === key ? 'active' : ''}>
            {label}
          </Link>
        ))}
      </nav>

      {tab === 'details' ? (
        <Form method="post" className="stack panel" {...getFormProps(details)}>
          <input type="hidden" name="intent" value="update" />
          <div className="row">
            <Field label="First name" meta={detailFields.firstName} />
            <Field label="Last name" meta={detailFields.lastName} />
          </div>
          <Field label="Display name" meta={detailFields.displayName} />
          <div className="row">
            <Field label="Email" meta={detailFields.email} type="email" />
            <Field label="User name" meta={detailFields.userName} />
          </div>
          <div className="row">
            <Field label="Time zone" meta={detailFields.timeZone} />
            <Field label="Locale" meta={detailFields.locale} />
          </div>
          <Field label="SAML name id" meta={detailFields.samlNameId} />
          <label className="checks">
            <label>
              <input
                type="checkbox"
                name="exemptFromInactivity"
                defaultChecked={detailFields.exemptFromInactivity.initialValue === undefined ? user.exemptFromInactivity : detailFields.exemptFromInactivity.initialValue === 'on'}
              /> Exempt from inactivity deactivation (break-glass account)
            </label>
          </label>
          <p className="muted">
            Created <Time at={user.createdAt} /> · Last sign-in {user.lastSignInAt ? <Time at={user.lastSignInAt} /> : 'never'}
          </p>
          {canManage ? <button type="submit">Save details</button> : null}
        </Form>
      ) : null}

      {tab === 'role' ? (
        <div className="panel stack">
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="setRole" />
            <Select
              label="Role"
              name="roleId"
              defaultValue={user.roleId}
              options={roles.filter((r) => r.audience === audience).map((r) => ({ value: r.id, label: r.name }))}
              errors={roleFields.roleId.errors}
            />
            {canManage ? <button type="submit">Change role</button> : null}
          </Form>
          <h2>Permissions</h2>
          {access.permissions.length ? (
            <ul>
              {access.permissions.map((p) => (
                <li key={p}>
                  <code>{p}</code>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">This role grants no administrative permissions.</p>
          )}
        </div>
      ) : null}

      {tab === 'status' ? (
        <div className="panel stack">
          {isSelf ? <p className="muted">You cannot change your own status.</p> : null}
          {confirm && canManage && !isSelf ? (
            <Form method="post" className="stack" {...getFormProps(statusChange)}>
              <input type="hidden" name="intent" value="setStatus" />
              <input type="hidden" name="status" value={confirm.to} />
              <p>
                {lands === 'invited' ? (
                  <>
                    {confirm.label} {user.displayName}? They never accepted their invitation, so they become <StatusBadge status="invited" /> and get a new invitation email.
                  </>
                ) : (
                  <>
                    Change {user.displayName} from <StatusBadge status={user.status} /> to <StatusBadge status={confirm.to} />?
                  </>
                )}
                {endsAccess(confirm.to) ? ' They are signed out at once.' : ''}
                {SEAT_HOLDING.includes(confirm.to) ? '' : ' Their seat is released.'}
              </p>
              <label>
                Reason {confirm.to === 'banned' ? '(required)' : '(optional)'}
                <textarea
                  name={statusFields.reason.name}
                  rows={3}
                  required={confirm.to === 'banned'}
                  defaultValue={typeof statusFields.reason.initialValue === 'string' ? statusFields.reason.initialValue : undefined}
                  aria-invalid={statusFields.reason.errors ? true : undefined}
                />
                {statusFields.reason.errors ? <span className="field-error">{statusFields.reason.errors.join(' ')}</span> : null}
              </label>
              <div className="actions">
                <button type="submit" className={confirm.to === 'active' ? '' : 'danger'}>
                  Confirm
                </button>
                <Link to="?tab=status">Cancel</Link>
              </div>
            </Form>
          ) : canManage && !isSelf && ADMIN_TRANSITIONS[user.status].some((t) => SEAT_HOLDING.includes(t.to)) ? (
            <section className="stack" aria-label="Access">
              <h2>Access</h2>
              <div className="actions">
                {ADMIN_TRANSITIONS[user.status]
                  .filter((t) => SEAT_HOLDING.includes(t.to))
                  .map((t) => (
                    <Link key={t.to} className={t.to === 'active' ? 'button' : 'button secondary'} to={`?tab=status&to=${t.to}`}>
                      {t.label}
                    </Link>
                  ))}
              </div>
            </section>
          ) : null}
          {canManage && user.kind !== 'api' && !confirm ? (
            <section className="stack" aria-label="Password">
              <h2>Password</h2>
              <div className="actions">
                <Form method="post">
                  <input type="hidden" name="intent" value="requirePasswordChange" />
                  <input type="hidden" name="required" value={String(!user.mustChangePassword)} />
                  <button type="submit" className="secondary">
                    {user.mustChangePassword ? 'Do not require a password change' : 'Require a password change at next sign-in'}
                  </button>
                </Form>
                {mayGetInvitation(user.status) ? (
                  <Form method="post">
                    <input type="hidden" name="intent" value="resendInvitation" />
                    <button type="submit" className="secondary">
                      Resend invitation
                    </button>
                  </Form>
                ) : MAY_RESET_PASSWORD.includes(user.status) ? (
                  <Form method="post">
                    <input type="hidden" name="intent" value="sendPasswordReset" />
                    <button type="submit" className="secondary">
                      Send password reset link
                    </button>
                  </Form>
                ) : null}
              </div>
            </section>
          ) : null}
          {canManage && !isSelf && !confirm && ADMIN_TRANSITIONS[user.status].some((t) => !SEAT_HOLDING.includes(t.to)) ? (
            <section className="danger-zone stack" aria-label="Danger zone">
              <h2>Danger zone</h2>
              <p className="muted">
                {SEAT_HOLDING.includes(user.status) ? `These end ${user.displayName}'s access at once and release their seat. ` : ''}
                {ADMIN_TRANSITIONS[user.status].some((t) => t.to === 'banned') ? 'A banned user comes back only when an admin unbans them.' : ''}
              </p>
              <div className="actions">
                {ADMIN_TRANSITIONS[user.status]
                  .filter((t) => !SEAT_HOLDING.includes(t.to))
                  .map((t) => (
                    <Link key={t.to} className="button danger" to={`?tab=status&to=${t.to}`}>
                      {t.label}
                    </Link>
                  ))}
              </div>
            </section>
          ) : null}
        </div>
      ) : null}

      {tab === 'history' && history ? (
        <>
          <LoginHistoryTable items={history.items} showPerson={false} />
          {history.nextCursor ? (
            <p className="pager">
              <Link to={`?tab=history&cursor=${history.nextCursor}`}>Older attempts</Link>
            </p>
          ) : null}
        </>
      ) : null}

      {tab === 'keys' ? (
        user.kind !== 'api' ? (
          <p className="muted">Only API users have API keys. People sign in with their password.</p>
        ) : (
          <div className="stack">
            {data?.newKey ? (
              <div className="notice" role="status">
                <p>
                  <strong>Copy the key “{data.newKey.name}” now: it will not be shown again.</strong>
                </p>
                <p>
                  <input readOnly value={data.newKey.key} aria-label="New API key" style={{ width: '100%', fontFamily: 'monospace' }} onFocus={(e) => e.target.select()} />
                </p>
                <button type="button" className="secondary" onClick={() => navigator.clipboard?.writeText(data.newKey!.key)}>
                  Copy
                </button>
              </div>
            ) : null}
            {canManage ? (
              <Form method="post" className="toolbar panel" {...getFormProps(newKey)}>
                <input type="hidden" name="intent" value="createKey" />
                <Field label="Key name" meta={keyFields.name} placeholder="e.g. HR sync" required />
                <Field label="Expires on (optional)" meta={keyFields.expiresAt} type="date" />
                <button type="submit">Generate key</button>
              </Form>
            ) : null}
            <TableScroll label="API keys">
              <table>
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Prefix</th>
                    <th>Created</th>
                    <th>Last used</th>
                    <th>Expires</th>
                    <th>Status</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {(keys ?? []).map((k) => (
                    <tr key={k.id}>
                      <td>{k.name}</td>
                      <td>
                        <code>{`${k.prefix}…`}</code>
                      </td>
                      <td>
                        <Time at={k.createdAt} style="date" />
                      </td>
                      <td>{k.lastUsedAt ? <Time at={k.lastUsedAt} /> : 'Never'}</td>
                      <td>{k.expiresAt ? <Time at={k.expiresAt} /> : 'Never'}</td>
                      <td>
                        <KeyBadge status={k.status} />
                      </td>
                      <td>
                        {k.status === 'active' && canManage ? (
                          search.get('revoke') === k.id ? (
                            <Form method="post" className="actions">
                              <input type="hidden" name="intent" value="revokeKey" />
                              <input type="hidden" name="keyId" value={k.id} />
                              <button type="submit" className="danger">
                                Confirm revoke
                              </button>
                              <Link to="?tab=keys">Cancel</Link>
                            </Form>
                          ) : (
                            <Link to={`?tab=keys&revoke=${k.id}`}>Revoke</Link>
                          )
                        ) : null}
                      </td>
                    </tr>
                  ))}
                  {keys?.length === 0 ? (
                    <tr>
                      <td colSpan={7} className="muted">
                        No keys yet.
                      </td>
                    </tr>
                  ) : null}
                </tbody>
              </table>
            </TableScroll>
          </div>
        )
      ) : null}

      {tab === 'audit' ? (
        audit ? (
          <AuditTable items={audit.items} nextCursor={audit.nextCursor} tab="audit" />
        ) : (
          <p className="muted">You need the audit.read permission to see this.</p>
        )
      ) : null}
    </>
  );
}
