import { json, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useLocation } from '@remix-run/react';
import { Select } from '~/components/select';
import { StatusBadge } from '~/components/status-badge';
import { parseForm } from '~/utils/forms';
import { SEAT_LABELS, SEAT_TYPES } from '../../server/contract/seats';
import { STATUSES, STATUS_LABELS } from '../../server/contract/statuses';
import { listUsersInput } from '../../server/contract/users';

export const meta: MetaFunction = () => [{ title: 'Users · Seatwise' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  let submission = parseForm(params, listUsersInput, { blank: 'absent' });
  // A filter that names nothing (a stale link, a hand-edited address) is dropped, not an error page.
  if (submission.status !== 'success') {
    for (const name of Object.keys(submission.error ?? {})) params.delete(name);
    submission = parseForm(params, listUsersInput, { blank: 'absent' });
  }
  const filters = submission.status === 'success' ? submission.value : listUsersInput.parse({});
  const [users, roles, seats] = await Promise.all([context.trpc.users.list(filters), context.trpc.roles.list(), context.trpc.seats.summary()]);
  return json({ users, roles, seats, filters });
}

/** The export takes the list's search and filters, not its page or order (SPEC "Export"). */
function exportQuery(search: string) {
  const params = new URLSearchParams(search);
  for (const name of ['cursor', 'sort', 'limit']) params.delete(name);
  return params.toString();
}

export default function Users() {
  const { users, roles, seats, filters } = useLoaderData<typeof loader>();
  const location = useLocation();
  const roleName = Object.fromEntries(roles.map((r) => [r.id, r.name]));
  const next = new URLSearchParams(location.search);
  if (users.nextCursor) next.set('cursor', users.nextCursor);
  const first = new URLSearchParams(location.search);
  first.delete('cursor');
  return (
    <>
      <div className="toolbar" style={{ justifyContent: 'space-between' }}>
        <h1 style={{ margin: 0 }}>Users</h1>
        <span className="actions">
          <a className="button secondary" href={`/export/users.csv?${exportQuery(location.search)}`} download>
            Export CSV
          </a>
          <Link className="button secondary" to="/import">
            Import
          </Link>
          <Link className="button" to="/users/new">
            New user
          </Link>
        </span>
      </div>
      <p className="muted">
        {SEAT_TYPES
          .map((k) => `${SEAT_LABELS[k]}: ${seats[k].used} of ${seats[k].purchased} seats used`)
          .join(' · ')}
      </p>
      <Form method="get" className="toolbar" role="search">
        <label>
          Search
          <input type="search" name="q" defaultValue={filters.q} placeholder="Name, email or user name" />
        </label>
        <Select label="Status" name="status" defaultValue={filters.status ?? ''} options={[{ value: '', label: 'Any status' }, ...STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))]} />
        <Select
          label="Kind"
          name="kind"
          defaultValue={filters.kind ?? ''}
          options={[{ value: '', label: 'Any kind' }, ...SEAT_TYPES.map((k) => ({ value: k, label: SEAT_LABELS[k] }))]}
        />
        <Select label="Role" name="roleId" defaultValue={filters.roleId ?? ''} options={[{ value: '', label: 'Any role' }, ...roles.map((r) => ({ value: r.id, label: r.name }))]} />
        <Select
          label="Sort by"
          name="sort"
          defaultValue={filters.sort}
          options={[
            { value: 'name', label: 'Name' },
            { value: 'lastSignIn', label: 'Last sign-in' },
            { value: 'created', label: 'Newest' },
          ]}
        />
        <button type="submit" className="secondary">
          Apply
        </button>
      </Form>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Kind</th>
              <th>Role</th>
              <th>Status</th>
              <th>Last sign-in</th>
            </tr>
          </thead>
          <tbody>
            {users.items.map((u) => (
              <tr key={u.id}>
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
                <td className="muted">{u.lastSignInAt ? new Date(u.lastSignInAt).toLocaleString('en-GB', { timeZone: 'UTC' }) : 'Never'}</td>
              </tr>
            ))}
            {users.items.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">
                  No users match these filters.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <div className="pager">
        {filters.cursor ? <Link to={`?${first.toString()}`}>First page</Link> : <span />}
        {users.nextCursor ? <Link to={`?${next.toString()}`}>Next page</Link> : null}
      </div>
    </>
  );
}
