import { json, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { SeatHistory } from '~/components/seat-history-chart';
import { lastDays } from '~/utils/dates';
import { requireMe } from '~/utils/session.server';
import { SEAT_LABELS, SEAT_TYPES } from '../../server/contract/seats';
import { STATUSES, STATUS_LABELS, type UserStatus } from '../../server/contract/statuses';

export const meta: MetaFunction = () => [{ title: 'Dashboard · Seatwise' }];

/** SPEC "Seat history": the dashboard charts the last 90 days. */
const HISTORY_DAYS = 90;

/** A pool this full (and not over) shows its bar in amber: time to buy seats before the limit stops an invitation. */
const NEARLY_FULL = 0.9;

export async function loader({ context, request }: LoaderFunctionArgs) {
  const me = await requireMe(context, request);
  const [seats, history] = me.permissions.includes('users.read')
    ? await Promise.all([context.trpc.seats.summary(), context.trpc.seats.history(lastDays(HISTORY_DAYS))])
    : [null, null];
  const byStatus = seats
    ? (Object.fromEntries(STATUSES.map((status) => [status, SEAT_TYPES.reduce((sum, type) => sum + seats[type].byStatus[status], 0)])) as Record<UserStatus, number>)
    : null;
  // The address people of this workspace sign in at: the login page with the workspace filled in.
  const signInUrl = `${new URL(request.url).origin}/login?workspace=${encodeURIComponent(me.tenant.slug)}`;
  return json({
    me,
    seats,
    byStatus,
    history,
    signInUrl,
    canInvite: me.permissions.includes('users.manage'),
    canBuy: me.permissions.includes('billing.manage'),
  });
}

type Pool = { purchased: number; used: number; available: number; overLimit: boolean };

/** How full a pool is: red over the limit, amber from 90 % used, the brand colour below. */
function barClass(pool: Pool) {
  if (pool.overLimit) return 'bar over';
  if (pool.purchased > 0 && pool.used / pool.purchased >= NEARLY_FULL) return 'bar warn';
  return 'bar';
}

function SeatUsage({ label, pool }: { label: string; pool: Pool }) {
  const percent = pool.purchased === 0 ? (pool.used > 0 ? 100 : 0) : Math.min(100, (pool.used / pool.purchased) * 100);
  const bar = barClass(pool);
  return (
    <article className="card" aria-label={`${label} seats`}>
      <h2>{label}</h2>
      <div className="count" data-testid={`seats-${label}`}>
        {`${pool.used} of ${pool.purchased} used`}
      </div>
      <div className={bar} role="progressbar" aria-valuenow={pool.used} aria-valuemax={pool.purchased} aria-label={`${label} seats used`}>
        <span style={{ width: `${percent}%` }} />
      </div>
      <p className={bar === 'bar' ? 'muted' : bar === 'bar warn' ? 'seat-note warn' : 'seat-note over'}>
        {pool.overLimit
          ? `${pool.used - pool.purchased} over the limit`
          : bar === 'bar warn'
            ? pool.available === 0
              ? 'No seats left'
              : `Only ${pool.available} available`
            : `${pool.available} available`}
      </p>
    </article>
  );
}

export default function Dashboard() {
  const { me, seats, byStatus, history, signInUrl, canInvite, canBuy } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-head">
        <h1>{me.tenant.name}</h1>
        {canInvite || canBuy ? (
          <div className="actions">
            {canInvite ? (
              <Link className="button" to="/users/new">
                Invite user
              </Link>
            ) : null}
            {canBuy ? (
              <Link className="button secondary" to="/billing">
                Buy seats
              </Link>
            ) : null}
          </div>
        ) : null}
      </div>
      <section className="sign-in-address" aria-labelledby="sign-in-address">
        <h2 id="sign-in-address">Sign-in address</h2>
        <p className="muted">Share this address with the people of your workspace: it opens the sign-in page with {me.tenant.name} filled in.</p>
        <a href={signInUrl} data-testid="sign-in-address">
          <code>{signInUrl}</code>
        </a>
      </section>
      {seats && byStatus ? (
        <>
          {SEAT_TYPES
            .filter((type) => seats[type].overLimit)
            .map((type) => (
              <div className="banner" role="alert" key={type}>
                You are over your {SEAT_LABELS[type]} seat limit by {seats[type].overBy}: deactivate {seats[type].overBy}{' '}
                {seats[type].overBy === 1 ? 'user' : 'users'} or buy more seats. New {SEAT_LABELS[type]}s cannot be added until then.
              </div>
            ))}
          <section className="cards" aria-label="Seat usage">
            {SEAT_TYPES.map((type) => (
              <SeatUsage key={type} label={SEAT_LABELS[type]} pool={seats[type]} />
            ))}
          </section>
          <section className="status-counts-section" aria-labelledby="users-by-status">
            <h2 id="users-by-status">Users by status</h2>
            <ul className="status-counts">
              {STATUSES.map((status) => (
                <li key={status}>
                  <Link to={`/users?status=${status}`} className={byStatus[status] === 0 ? 'empty' : undefined} data-testid={`status-count-${status}`}>
                    <span className="n">{byStatus[status]}</span> <span className="label">{STATUS_LABELS[status]}</span>
                  </Link>
                </li>
              ))}
            </ul>
          </section>
          {history ? <SeatHistory series={history} days={HISTORY_DAYS} /> : null}
        </>
      ) : (
        <p className="muted">Welcome, {me.user.firstName}. Your administrator manages users and seats for this workspace.</p>
      )}
    </>
  );
}
