import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { Field, FormAlert } from '~/components/field';
import { Select } from '~/components/select';
import { AuditTable } from '~/components/audit-table';
import { KIND_LABELS, StatusBadge } from '~/components/status-badge';
import { attempt, formObject, trpcCode } from '~/utils/errors';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.user.displayName ?? 'User'} · Seatwise` }];

const TABS = [
  ['details', 'Details'],
  ['role', 'Role & permissions'],
  ['status', 'Status'],
  ['history', 'Login history'],
  ['audit', 'Audit'],
  ['keys', 'API keys'],
] as const;

/** Which buttons to offer; the server decides what is allowed (SPEC "Status and seats"). */
const ACTIONS: Record<string, { to: string; label: string }[]> = {
  invited: [
    { to: 'deactivated', label: 'Deactivate' },
    { to: 'banned', label: 'Ban' },
  ],
  active: [
    { to: 'suspended', label: 'Suspend' },
    { to: 'deactivated', label: 'Deactivate' },
    { to: 'banned', label: 'Ban' },
  ],
  suspended: [
    { to: 'active', label: 'Reactivate' },
    { to: 'deactivated', label: 'Deactivate' },
    { to: 'banned', label: 'Ban' },
  ],
  locked: [
    { to: 'active', label: 'Unlock' },
    { to: 'deactivated', label: 'Deactivate' },
    { to: 'banned', label: 'Ban' },
  ],
  deactivated: [
    { to: 'active', label: 'Reactivate' },
    { to: 'banned', label: 'Ban' },
  ],
  banned: [{ to: 'active', label: 'Unban' }],
};

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

/** A checkbox sends "on" or nothing; any other value goes to the schema as it came, to be refused there. */
const checkbox = (value: string | undefined) => (value === undefined ? false : value === 'on' ? true : value);
/** The hidden `required` field sends "true" or "false"; likewise. */
const flag = (value: string | undefined) => (value === 'true' ? true : value === 'false' ? false : value);

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const id = params.id!;
  const search = new URL(request.url).searchParams;
  const tab = search.get('tab') ?? 'details';
  const cursor = search.get('cursor') ?? undefined;
  const [user, access, roles, me] = await orNotFound(
    context,
    Promise.all([context.trpc.users.get({ id }), context.trpc.users.permissions({ id }), context.trpc.roles.list(), context.trpc.auth.me()]),
  );
  const history = tab === 'history' ? await context.trpc.users.loginHistory({ id, cursor, limit: 25 }) : null;
  const audit = tab === 'audit' && me.permissions.includes('audit.read') ? await context.trpc.audit.list({ targetId: id, cursor, limit: 25 }) : null;
  const canManage = me.permissions.includes('users.manage');
  const keys = tab === 'keys' && user.kind === 'api' && canManage ? await context.trpc.apiKeys.list({ userId: id }) : null;
  return json({ user, access, roles, history, audit, keys, tab, isSelf: me.user.id === id, canManage });
}

export async function action({ params, request, context }: ActionFunctionArgs) {
  const id = params.id!;
  const { intent, ...values } = formObject(await request.formData());
  const calls: Record<string, () => Promise<unknown>> = {
    update: () =>
      context.trpc.users.update({
        id,
        ...Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'exemptFromInactivity')),
        exemptFromInactivity: checkbox(values.exemptFromInactivity),
      } as never),
    setRole: () => context.trpc.users.setRole({ id, roleId: values.roleId ?? '' }),
    setStatus: () => context.trpc.users.setStatus({ id, status: values.status as never, reason: values.reason || undefined }),
    requirePasswordChange: () => context.trpc.users.requirePasswordChange({ id, required: flag(values.required) as boolean }),
    sendPasswordReset: () => context.trpc.users.sendPasswordReset({ id }),
    resendInvitation: () => context.trpc.users.resendInvitation({ id }),
    createKey: () =>
      context.trpc.apiKeys.create({ userId: id, name: values.name ?? '', expiresAt: values.expiresAt ? `${values.expiresAt}T23:59:59Z` : undefined }),
    revokeKey: () => context.trpc.apiKeys.revoke({ id: values.keyId ?? '' }),
  };
  const call = calls[intent ?? ''];
  if (!call) return json({ intent, newKey: null, errors: { message: 'Unknown action.', fieldErrors: {} as Record<string, string[]>, data: {} as Record<string, unknown> }, notice: null }, { status: 400 });
  const result = await attempt(context, call);
  if (!result.ok) return json({ intent, errors: result.errors, notice: null, newKey: null }, { status: result.status });
  // The key is shown this once, in the response to its creation; it is never stored to show again.
  if (intent === 'createKey') return json({ intent, errors: null, notice: null, newKey: result.value as { key: string; name: string } });
  const tab = { update: 'details', setRole: 'role', revokeKey: 'keys' }[intent!] ?? 'status';
  return redirect(`/users/${id}?tab=${tab}&done=${intent}`);
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
  const { user, access, roles, history, audit, keys, tab, isSelf, canManage } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [search] = useSearchParams();
  const errors = data?.errors?.fieldErrors ?? {};
  const confirmTo = search.get('to');
  const done = search.get('done');
  const audience = { standard: 'internal', client: 'client', api: 'api' }[user.kind];
  return (
    <>
      <p>
        <Link to="/users">← Users</Link>
      </p>
      <h1>
        {user.displayName} <StatusBadge status={user.status} />
      </h1>
      <p className="muted">
        {KIND_LABELS[user.kind]} · {user.email} · {access.role.name}
        {user.statusReason ? ` · Reason: ${user.statusReason}` : ''}
      </p>
      {search.get('created') ? (
        <p className="notice">{user.kind === 'api' ? 'API user created.' : `Invitation sent to ${user.email}.`}</p>
      ) : null}
      {done && NOTICES[done] ? <p className="notice">{NOTICES[done]}</p> : null}
      <FormAlert message={data?.errors && (data.errors.data.reason === 'SEAT_LIMIT' || !Object.keys(errors).length) ? data.errors.message : null} />
      <nav className="tabs">
        {TABS.map(([key, label]) => (
          <Link key={key} to={`?tab=${key}`} className={tab === key ? 'active' : ''}>
            {label}
          </Link>
        ))}
      </nav>

      {tab === 'details' ? (
        <Form method="post" className="stack panel">
          <input type="hidden" name="intent" value="update" />
          <div className="row">
            <Field label="First name" name="firstName" defaultValue={user.firstName} errors={errors.firstName} />
            <Field label="Last name" name="lastName" defaultValue={user.lastName} errors={errors.lastName} />
          </div>
          <Field label="Display name" name="displayName" defaultValue={user.displayName} errors={errors.displayName} />
          <div className="row">
            <Field label="Email" name="email" type="email" defaultValue={user.email} errors={errors.email} />
            <Field label="User name" name="userName" defaultValue={user.userName ?? ''} errors={errors.userName} />
          </div>
          <div className="row">
            <Field label="Time zone" name="timeZone" defaultValue={user.timeZone} errors={errors.timeZone} />
            <Field label="Locale" name="locale" defaultValue={user.locale} errors={errors.locale} />
          </div>
          <Field label="SAML name id" name="samlNameId" defaultValue={user.samlNameId ?? ''} errors={errors.samlNameId} />
          <label className="checks">
            <label>
              <input type="checkbox" name="exemptFromInactivity" defaultChecked={user.exemptFromInactivity} /> Exempt from inactivity deactivation (break-glass account)
            </label>
          </label>
          <p className="muted">
            Created {new Date(user.createdAt).toUTCString()} · Last sign-in {user.lastSignInAt ? new Date(user.lastSignInAt).toUTCString() : 'never'}
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
              errors={errors.roleId}
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
          {confirmTo ? (
            <Form method="post" className="stack">
              <input type="hidden" name="intent" value="setStatus" />
              <input type="hidden" name="status" value={confirmTo} />
              <p>
                Change {user.displayName} from <StatusBadge status={user.status} /> to <StatusBadge status={confirmTo} />?
                {['suspended', 'deactivated', 'banned'].includes(confirmTo) ? ' They are signed out at once.' : ''}
                {['deactivated', 'banned'].includes(confirmTo) ? ' Their seat is released.' : ''}
              </p>
              <label>
                Reason {confirmTo === 'banned' ? '(required)' : '(optional)'}
                <textarea name="reason" rows={3} required={confirmTo === 'banned'} aria-invalid={errors.reason ? true : undefined} />
                {errors.reason ? <span className="field-error">{errors.reason.join(' ')}</span> : null}
              </label>
              <div className="actions">
                <button type="submit" className={confirmTo === 'active' ? '' : 'danger'}>
                  Confirm
                </button>
                <Link to="?tab=status">Cancel</Link>
              </div>
            </Form>
          ) : canManage && !isSelf ? (
            <div className="actions">
              {(ACTIONS[user.status] ?? []).map((a) => (
                <Link key={a.to} className="button" to={`?tab=status&to=${a.to}`}>
                  {a.label}
                </Link>
              ))}
            </div>
          ) : null}
          {canManage && user.kind !== 'api' ? (
            <div className="actions">
              <Form method="post">
                <input type="hidden" name="intent" value="requirePasswordChange" />
                <input type="hidden" name="required" value={String(!user.mustChangePassword)} />
                <button type="submit" className="secondary">
                  {user.mustChangePassword ? 'Do not require a password change' : 'Require a password change at next sign-in'}
                </button>
              </Form>
              {user.status === 'invited' ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="resendInvitation" />
                  <button type="submit" className="secondary">
                    Resend invitation
                  </button>
                </Form>
              ) : (
                <Form method="post">
                  <input type="hidden" name="intent" value="sendPasswordReset" />
                  <button type="submit" className="secondary">
                    Send password reset link
                  </button>
                </Form>
              )}
            </div>
          ) : null}
        </div>
      ) : null}

      {tab === 'history' && history ? (
        <>
          <table>
            <thead>
              <tr>
                <th>Time (UTC)</th>
                <th>Result</th>
                <th>Message</th>
                <th>IP</th>
              </tr>
            </thead>
            <tbody>
              {history.items.map((e) => (
                <tr key={e.id}>
                  <td>{new Date(e.createdAt).toISOString().replace('T', ' ').slice(0, 19)}</td>
                  <td>{e.result}</td>
                  <td>{e.message}</td>
                  <td>{e.ip}</td>
                </tr>
              ))}
              {history.items.length === 0 ? (
                <tr>
                  <td colSpan={4} className="muted">
                    No sign-in attempts yet.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
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
              <Form method="post" className="toolbar panel">
                <input type="hidden" name="intent" value="createKey" />
                <Field label="Key name" name="name" placeholder="e.g. HR sync" errors={errors.name} required />
                <Field label="Expires on (optional)" name="expiresAt" type="date" errors={errors.expiresAt} />
                <button type="submit">Generate key</button>
              </Form>
            ) : null}
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
                    <td>{new Date(k.createdAt).toISOString().slice(0, 10)}</td>
                    <td>{k.lastUsedAt ? new Date(k.lastUsedAt).toISOString().replace('T', ' ').slice(0, 16) : 'Never'}</td>
                    <td>{k.expiresAt ? new Date(k.expiresAt).toISOString().slice(0, 10) : 'Never'}</td>
                    <td>
                      <StatusBadge status={k.status === 'active' ? 'active' : k.status === 'revoked' ? 'banned' : 'deactivated'} /> {k.status}
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
