import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useLocation, useSubmit } from '@remix-run/react';
import { useEffect, useRef, useState } from 'react';
import { z } from 'zod';
import { FormAlert } from '~/components/field';
import { Select } from '~/components/select';
import { StatusBadge } from '~/components/status-badge';
import { attempt } from '~/utils/errors';
import { Time } from '~/components/time';
import { useFormat } from '~/utils/format';
import { parseForm } from '~/utils/forms';
import { requireMe } from '~/utils/session.server';
import { SEAT_LABELS, SEAT_TYPES } from '../../server/contract/seats';
import { STATUSES, STATUS_LABELS, mayAdminMove, mayGetInvitation, transitionRefusal, type UserStatus } from '../../server/contract/statuses';
import { DEFAULT_SORT_DIRECTION, USER_COUNT_CAP, listUsersInput, type UserSort } from '../../server/contract/users';
import { OverLimitBanner } from '~/components/over-limit-banner';

export const meta: MetaFunction = () => [{ title: 'Users · Seatwise' }];

/**
 * The bulk actions (and the row actions, which are the same with one user): each asks once, on a
 * confirmation section of this page reached by a plain GET (`?confirm=deactivated&ids=…`), then
 * posts to the bulk procedure, which applies all or none.
 */
const BULK_ACTIONS = {
  deactivated: { label: 'Deactivate', verb: 'deactivated', todo: 'deactivate', danger: true },
  banned: { label: 'Ban', verb: 'banned', todo: 'ban', danger: true },
  invitation: { label: 'Resend invitation', verb: 'sent a new invitation', todo: 'send a new invitation to', danger: false },
} as const;
type BulkAction = keyof typeof BULK_ACTIONS;
const isBulkAction = (value: unknown): value is BulkAction => typeof value === 'string' && Object.hasOwn(BULK_ACTIONS, value);
/** Whether the action applies to a user in this status (the procedure checks again, with permissions). */
const applies = (action: BulkAction, status: UserStatus) => (action === 'invitation' ? mayGetInvitation(status) : mayAdminMove(status, action));
const whyNot = (action: BulkAction, status: UserStatus) => (action === 'invitation' ? `Only invited users get invitations; this user is ${status}.` : transitionRefusal(status, action));

const DEFAULT_LIMIT = 50;
/** Page-only parameters: the position of the page (for the "51–100" label), and the confirmation. */
const PAGE_ONLY = ['from', 'confirm', 'ids', 'done', 'n', 'index'];
const position = z.coerce.number().int().min(0).max(10_000_000).catch(0);
const uuid = z.uuid();

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const params = new URLSearchParams(url.searchParams);
  for (const name of PAGE_ONLY) params.delete(name);
  let submission = parseForm(params, listUsersInput, { blank: 'absent' });
  // A filter that names nothing (a stale link, a hand-edited address) is dropped, not an error page.
  if (submission.status !== 'success') {
    for (const name of Object.keys(submission.error ?? {})) params.delete(name);
    submission = parseForm(params, listUsersInput, { blank: 'absent' });
  }
  const filters = submission.status === 'success' ? submission.value : listUsersInput.parse({});
  const [users, roles, seats, me] = await Promise.all([
    context.trpc.users.list({ ...filters, withTotal: true }),
    context.trpc.roles.list(),
    context.trpc.seats.summary(),
    requireMe(context, request),
  ]);
  const canManage = me.permissions.includes('users.manage');
  const from = users.prevCursor ? position.parse(url.searchParams.get('from') ?? 0) : 0;

  const action = url.searchParams.get('confirm');
  let confirm: { action: BulkAction; users: typeof users.items } | null = null;
  if (canManage && isBulkAction(action)) {
    const ids = [...new Set(url.searchParams.getAll('ids'))].filter((id) => uuid.safeParse(id).success).slice(0, 100);
    const onPage = new Map(users.items.map((u) => [u.id, u]));
    // Users selected on this page are in hand; a row link from another page is looked up.
    const found = await Promise.all(ids.map(async (id) => onPage.get(id) ?? (await attempt(context, () => context.trpc.users.get({ id })).then((r) => (r.ok ? r.value : null)))));
    confirm = { action, users: found.filter((u) => u !== null) };
  }
  const done = url.searchParams.get('done');
  const doneCount = position.parse(url.searchParams.get('n') ?? 0);
  return json({
    users,
    roles,
    seats,
    filters,
    from,
    confirm,
    canManage,
    meId: me.user.id,
    done: isBulkAction(done) ? { action: done, count: doneCount } : null,
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const url = new URL(request.url);
  const form = await request.formData();
  const intent = form.get('intent');
  const ids = form.getAll('ids').filter((id) => typeof id === 'string');
  const reason = form.get('reason');
  if (!isBulkAction(intent)) return json({ message: 'Unknown action.', fieldErrors: {} as Record<string, string[]> }, { status: 400 });
  const result = await attempt(context, () =>
    intent === 'invitation'
      ? context.trpc.users.bulkResendInvitation({ ids })
      : context.trpc.users.bulkSetStatus({ ids, status: intent, reason: typeof reason === 'string' && reason.trim() !== '' ? reason : undefined }),
  );
  if (!result.ok) return json({ message: result.errors.message, fieldErrors: result.errors.fieldErrors }, { status: result.status });
  const back = new URLSearchParams(url.searchParams);
  for (const name of PAGE_ONLY) back.delete(name);
  back.set('done', intent);
  back.set('n', String(result.value.count));
  return redirect(`/users?${back.toString()}`);
}

const SORT_LABELS: Record<UserSort, string> = { name: 'Name', lastSignIn: 'Last sign-in', created: 'Created' };

/** The export takes the list's search and filters, not its page or order (SPEC "Export"). */
function exportQuery(search: string) {
  const params = new URLSearchParams(search);
  for (const name of ['cursor', 'before', 'sort', 'dir', 'limit', 'from', 'confirm', 'ids', 'done', 'n']) params.delete(name);
  return params.toString();
}

export default function Users() {
  const { users, roles, seats, filters, from, confirm, canManage, meId, done } = useLoaderData<typeof loader>();
  const failed = useActionData<typeof action>();
  const { number } = useFormat();
  // With JavaScript, a new address (another page, a finished bulk action) starts with nothing ticked.
  const location = useLocation();
  const roleName = Object.fromEntries(roles.map((r) => [r.id, r.name]));
  const direction = filters.dir ?? DEFAULT_SORT_DIRECTION[filters.sort];

  /** This list's address: its filters and sort, then whatever the link changes. */
  const listAddress = (changes: Record<string, string | null> = {}) => {
    const p = new URLSearchParams();
    if (filters.q) p.set('q', filters.q);
    if (filters.status) p.set('status', filters.status);
    if (filters.kind) p.set('kind', filters.kind);
    if (filters.roleId) p.set('roleId', filters.roleId);
    if (filters.sort !== 'name') p.set('sort', filters.sort);
    if (filters.dir) p.set('dir', filters.dir);
    if (filters.limit !== DEFAULT_LIMIT) p.set('limit', String(filters.limit));
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) p.delete(name);
      else p.set(name, value);
    }
    return `?${p.toString()}`;
  };
  /** This very page (same cursor and position), for the confirmation and its Cancel. */
  const here = (changes: Record<string, string | null> = {}) =>
    listAddress({ cursor: filters.cursor ?? null, before: filters.cursor ? null : (filters.before ?? null), from: from ? String(from) : null, ...changes });
  const sortLink = (sort: UserSort) => {
    const dir = sort === filters.sort ? (direction === 'asc' ? 'desc' : 'asc') : DEFAULT_SORT_DIRECTION[sort];
    return listAddress({ sort: sort === 'name' ? null : sort, dir: dir === DEFAULT_SORT_DIRECTION[sort] ? null : dir });
  };
  const header = (sort: UserSort) => {
    const current = sort === filters.sort;
    return (
      <th aria-sort={current ? (direction === 'asc' ? 'ascending' : 'descending') : 'none'}>
        <Link to={sortLink(sort)} className="sort-link">
          {SORT_LABELS[sort]}
          <span aria-hidden="true">{current ? (direction === 'asc' ? ' ▲' : ' ▼') : ''}</span>
        </Link>
      </th>
    );
  };

  const total = users.totalCapped ? `${number(USER_COUNT_CAP)}+` : number(users.total ?? 0);
  const range = users.items.length ? `${number(from + 1)}–${number(from + users.items.length)} of ${total}` : `0 of ${total}`;
  const rowActions = (u: (typeof users.items)[number]) =>
    (Object.keys(BULK_ACTIONS) as BulkAction[]).filter((a) => u.id !== meId && applies(a, u.status) && (a !== 'invitation' || u.kind !== 'api'));

  return (
    <>
      <OverLimitBanner seats={seats} />
      <div className="toolbar" style={{ justifyContent: 'space-between' }}>
        <h1 style={{ margin: 0 }}>
          Users <span className="muted users-total">{users.totalCapped ? `${total} users` : `${total} ${users.total === 1 ? 'user' : 'users'}`}</span>
        </h1>
        <span className="actions">
          <a className="button secondary" href={`/export/users.csv?${exportQuery(location.search)}`} download>
            Export CSV
          </a>
          {canManage ? (
            <>
              <Link className="button secondary" to="/import">
                Import
              </Link>
              <Link className="button" to="/users/new">
                New user
              </Link>
            </>
          ) : null}
        </span>
      </div>
      <p className="muted">{SEAT_TYPES.map((k) => `${SEAT_LABELS[k]}: ${seats[k].used} of ${seats[k].purchased} seats used`).join(' · ')}</p>
      {done ? (
        <p className="notice" role="status">
          {done.action === 'invitation'
            ? `New invitations sent to ${done.count === 1 ? '1 user' : `${number(done.count)} users`}; their previous links no longer work.`
            : `${done.count === 1 ? '1 user' : `${number(done.count)} users`} ${BULK_ACTIONS[done.action].verb}.`}
        </p>
      ) : null}
      {confirm ? <Confirmation confirm={confirm} meId={meId} cancel={here({ confirm: null, ids: null })} failed={failed ?? null} /> : null}
      <Filters filters={filters} roles={roles} />
      <Form method="get" className="stack" key={location.key}>
        {[...new URLSearchParams(here().slice(1))].map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        {canManage ? (
          <div className="toolbar bulk-bar" role="group" aria-label="Selected users">
            <span className="muted">With the selected users:</span>
            {(Object.keys(BULK_ACTIONS) as BulkAction[]).map((a) => (
              <button key={a} type="submit" name="confirm" value={a} className="secondary">
                {BULK_ACTIONS[a].label}
              </button>
            ))}
          </div>
        ) : null}
        <div className="table-scroll">
          <table className="users-table">
            <thead>
              <tr>
                {canManage ? (
                  <th>
                    <SelectAll />
                  </th>
                ) : null}
                {header('name')}
                <th>Email</th>
                <th>Kind</th>
                <th>Role</th>
                <th>Status</th>
                {header('lastSignIn')}
                {header('created')}
                {canManage ? <th>Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {users.items.map((u) => (
                <tr key={u.id}>
                  {canManage ? (
                    <td>
                      <input type="checkbox" name="ids" value={u.id} aria-label={`Select ${u.displayName}`} />
                    </td>
                  ) : null}
                  <td>
                    <Link to={`/users/${u.id}`}>{u.displayName}</Link>
                    {u.userName ? <div className="muted">{u.userName}</div> : null}
                  </td>
                  <td>{u.email}</td>
                  <td>{SEAT_LABELS[u.kind]}</td>
                  <td>{roleName[u.roleId]}</td>
                  <td>
                    <StatusBadge status={u.status} />
                  </td>
                  <td className="muted">{u.lastSignInAt ? <Time at={u.lastSignInAt} /> : 'Never'}</td>
                  <td className="muted">
                    <Time at={u.createdAt} />
                  </td>
                  {canManage ? (
                    <td>
                      <details className="row-menu">
                        <summary aria-label={`Actions for ${u.displayName}`}>Actions</summary>
                        <ul>
                          <li>
                            <Link to={`/users/${u.id}`}>Open</Link>
                          </li>
                          {rowActions(u).map((a) => (
                            <li key={a}>
                              <Link to={here({ confirm: a, ids: u.id })}>{BULK_ACTIONS[a].label}</Link>
                            </li>
                          ))}
                        </ul>
                      </details>
                    </td>
                  ) : null}
                </tr>
              ))}
              {users.items.length === 0 ? (
                <tr>
                  <td colSpan={canManage ? 9 : 7} className="muted">
                    No users match these filters.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </Form>
      <nav className="pager" aria-label="Pages">
        {users.prevCursor ? (
          <Link to={listAddress({ before: users.prevCursor, from: String(Math.max(0, from - filters.limit)) })} rel="prev">
            Previous
          </Link>
        ) : filters.cursor || filters.before ? (
          <Link to={listAddress()}>First page</Link>
        ) : (
          <span />
        )}
        <span className="muted" aria-live="polite">
          {range}
        </span>
        {users.nextCursor ? (
          <Link to={listAddress({ cursor: users.nextCursor, from: String(from + users.items.length) })} rel="next">
            Next
          </Link>
        ) : (
          <span />
        )}
      </nav>
    </>
  );
}

/** GET filters: without JavaScript the Apply button sends them; with it, every change does (search after a pause). */
function Filters({ filters, roles }: { filters: ReturnType<typeof useLoaderData<typeof loader>>['filters']; roles: { id: string; name: string }[] }) {
  const submit = useSubmit();
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);
  return (
    <Form
      method="get"
      className="toolbar"
      role="search"
      onChange={(event) => {
        const form = event.currentTarget;
        clearTimeout(timer.current);
        const typing = (event.target as HTMLElement).getAttribute('type') === 'search';
        timer.current = setTimeout(() => {
          // Blank filters stay out of the address, as the links of this page leave them out.
          const data = new FormData(form);
          for (const [name, value] of [...data]) if (value === '') data.delete(name);
          submit(data, { method: 'get', replace: typing });
        }, typing ? 300 : 0);
      }}
    >
      <label>
        Search
        <input type="search" name="q" defaultValue={filters.q} placeholder="Name, email or user name" />
      </label>
      <Select label="Status" name="status" defaultValue={filters.status ?? ''} options={[{ value: '', label: 'Any status' }, ...STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))]} />
      <Select label="Kind" name="kind" defaultValue={filters.kind ?? ''} options={[{ value: '', label: 'Any kind' }, ...SEAT_TYPES.map((k) => ({ value: k, label: SEAT_LABELS[k] }))]} />
      <Select label="Role" name="roleId" defaultValue={filters.roleId ?? ''} options={[{ value: '', label: 'Any role' }, ...roles.map((r) => ({ value: r.id, label: r.name }))]} />
      {filters.sort !== 'name' ? <input type="hidden" name="sort" value={filters.sort} /> : null}
      {filters.dir ? <input type="hidden" name="dir" value={filters.dir} /> : null}
      {filters.limit !== DEFAULT_LIMIT ? <input type="hidden" name="limit" value={filters.limit} /> : null}
      <button type="submit" className="secondary">
        Apply
      </button>
    </Form>
  );
}

/** With JavaScript only: one box for every row of the page (without it, each row is ticked). */
function SelectAll() {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  if (!hydrated) return <span className="sr-only">Select</span>;
  return (
    <input
      type="checkbox"
      aria-label="Select every user on this page"
      onChange={(event) => {
        const boxes = event.currentTarget.form?.querySelectorAll<HTMLInputElement>('input[type="checkbox"][name="ids"]') ?? [];
        for (const box of boxes) box.checked = event.currentTarget.checked;
      }}
    />
  );
}

type ConfirmUser = ReturnType<typeof useLoaderData<typeof loader>>['users']['items'][number];

/** The one confirmation: who is affected, who is left out and why, then Confirm. */
function Confirmation({
  confirm,
  meId,
  cancel,
  failed,
}: {
  confirm: { action: BulkAction; users: ConfirmUser[] };
  meId: string;
  cancel: string;
  failed: { message: string; fieldErrors: Record<string, string[]> } | null;
}) {
  const { action } = confirm;
  const meta = BULK_ACTIONS[action];
  const affected = confirm.users.filter((u) => u.id !== meId && applies(action, u.status));
  const left = confirm.users.filter((u) => !affected.includes(u));
  const reasonErrors = failed?.fieldErrors.reason;
  if (!confirm.users.length) {
    // The bulk button pressed with no box ticked: nothing to confirm yet.
    return (
      <section className="panel stack bulk-confirm" aria-labelledby="bulk-confirm-title">
        <h2 id="bulk-confirm-title">Select the users to {meta.todo} first.</h2>
        <Link to={cancel}>Back to the list</Link>
      </section>
    );
  }
  return (
    <section className="panel stack bulk-confirm" aria-labelledby="bulk-confirm-title">
      <h2 id="bulk-confirm-title">
        {meta.label} {affected.length === 1 ? '1 user' : `${affected.length} users`}?
      </h2>
      {failed && !reasonErrors ? <FormAlert message={failed.message} /> : null}
      {affected.length ? (
        <ul aria-label="Affected users">
          {affected.map((u) => (
            <li key={u.id}>
              {u.displayName} <span className="muted">{u.email}</span> <StatusBadge status={u.status} />
            </li>
          ))}
        </ul>
      ) : (
        <p>None of the selected users can be {meta.verb}.</p>
      )}
      {left.length ? (
        <div>
          <p className="muted">Not included:</p>
          <ul aria-label="Users left out">
            {left.map((u) => (
              <li key={u.id}>
                {u.displayName}: {u.id === meId ? 'You cannot change your own status.' : whyNot(action, u.status)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {action !== 'invitation' && affected.length ? <p className="muted">They are signed out at once, their API keys are revoked and their seats are released.</p> : null}
      {affected.length ? (
        <Form method="post" className="stack">
          <input type="hidden" name="intent" value={action} />
          {affected.map((u) => (
            <input key={u.id} type="hidden" name="ids" value={u.id} />
          ))}
          {action !== 'invitation' ? (
            <label>
              Reason {action === 'banned' ? '(required)' : '(optional)'}
              <textarea name="reason" rows={2} required={action === 'banned'} aria-invalid={reasonErrors ? true : undefined} />
              {reasonErrors ? <span className="field-error">{reasonErrors.join(' ')}</span> : null}
            </label>
          ) : null}
          <div className="actions">
            <button type="submit" className={meta.danger ? 'danger' : ''}>
              Confirm
            </button>
            <Link to={cancel}>Cancel</Link>
          </div>
        </Form>
      ) : (
        <Link to={cancel}>Back to the list</Link>
      )}
    </section>
  );
}
