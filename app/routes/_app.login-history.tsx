import { json, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { requireMe } from '~/utils/session.server';
import { startOfDayIn } from '../../server/contract/format';
import { LOGIN_RESULTS } from '../../server/contract/users';
import { LoginHistoryTable, resultLabel } from '~/components/login-history-table';

export const meta: MetaFunction = () => [{ title: 'Sign-ins · Seatwise' }];

/**
 * The workspace's sign-in attempts, attempts on unknown emails included; filters are plain GET
 * fields. The From and To days are the person's own days (their time zone), as the table shows them.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  const { user } = await requireMe(context, request);
  const text = (name: string) => params.get(name)?.trim() || undefined;
  const day = (name: string, end: boolean) => {
    const value = text(name);
    if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return undefined;
    const next = end ? new Date(Date.parse(`${value}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10) : value;
    return startOfDayIn(next, user.timeZone).getTime();
  };
  const from = day('from', false);
  const to = day('to', true);
  const filters = { result: text('result'), email: text('email'), ip: text('ip'), from: text('from'), to: text('to') };
  // A result the list does not name is dropped, as the users list drops a filter that names nothing.
  const result = LOGIN_RESULTS.find((r) => r === filters.result);
  const history = await context.trpc.users.loginHistory({
    result,
    email: filters.email,
    ip: filters.ip,
    from: from === undefined ? undefined : new Date(from).toISOString(),
    to: to === undefined ? undefined : new Date(to).toISOString(),
    cursor: text('cursor'),
    limit: 50,
  });
  const exportQuery = new URLSearchParams(
    Object.entries({ result, email: filters.email, ip: filters.ip, from: from === undefined ? undefined : new Date(from).toISOString(), to: to === undefined ? undefined : new Date(to).toISOString() })
      .filter((e): e is [string, string] => Boolean(e[1])),
  ).toString();
  return json({ history, filters, query: params.toString(), exportQuery });
}

export default function LoginHistory() {
  const { history, filters, query, exportQuery } = useLoaderData<typeof loader>();
  const next = new URLSearchParams(query);
  if (history.nextCursor) next.set('cursor', history.nextCursor);
  return (
    <>
      <h1>Sign-ins</h1>
      <p className="muted">Every sign-in attempt to this workspace, including attempts with emails that belong to nobody here.</p>
      <Form method="get" className="toolbar">
        <label>
          Email
          <input name="email" type="search" defaultValue={filters.email} />
        </label>
        <label>
          Result
          <select name="result" defaultValue={filters.result ?? ''}>
            <option value="">Any result</option>
            {LOGIN_RESULTS.map((r) => (
              <option key={r} value={r}>
                {resultLabel(r)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Address
          <input name="ip" defaultValue={filters.ip} placeholder="203.0.113.7" />
        </label>
        <label>
          From
          <input name="from" type="date" defaultValue={filters.from} />
        </label>
        <label>
          To
          <input name="to" type="date" defaultValue={filters.to} />
        </label>
        <button type="submit" className="secondary">
          Filter
        </button>
      </Form>
      <p>
        <a href={`/export/login-history.csv?${exportQuery}`} download>
          Export CSV
        </a>
      </p>
      <LoginHistoryTable items={history.items} showPerson />
      {history.nextCursor ? (
        <p className="pager">
          <Link to={`?${next.toString()}`}>Older attempts</Link>
        </p>
      ) : null}
    </>
  );
}
