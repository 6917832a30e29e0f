import { json, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { SeatHistory } from '~/components/seat-history-chart';
import { lastDays } from '~/utils/dates';
import { useFormat } from '~/utils/format';
import { requireMe } from '~/utils/session.server';
import { SEAT_LABELS, SEAT_TYPES } from '../../server/contract/seats';
import { STATUSES, STATUS_LABELS, type UserStatus } from '../../server/contract/statuses';
import { SeatCard } from '~/components/seat-card';
import { OverLimitBanner } from '~/components/over-limit-banner';

export const meta: MetaFunction = () => [{ title: 'Dashboard · Seatwise' }];

/** SPEC "Seat history": the dashboard charts the last 90 days. */
const HISTORY_DAYS = 90;

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

export default function Dashboard() {
  const { me, seats, byStatus, history, signInUrl, canInvite, canBuy } = useLoaderData<typeof loader>();
  const { number } = useFormat();
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
          <OverLimitBanner seats={seats} />
          <section className="cards" aria-label="Seat usage">
            {SEAT_TYPES.map((type) => (
              <SeatCard key={type} label={SEAT_LABELS[type]} pool={seats[type]} warnWhenNearlyFull />
            ))}
          </section>
          <section className="status-counts-section" aria-labelledby="users-by-status">
            <h2 id="users-by-status">Users by status</h2>
            <ul className="status-counts">
              {STATUSES.map((status) => (
                <li key={status}>
                  <Link to={`/users?status=${status}`} className={byStatus[status] === 0 ? 'empty' : undefined} data-testid={`status-count-${status}`}>
                    <span className="n">{number(byStatus[status])}</span> <span className="label">{STATUS_LABELS[status]}</span>
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
