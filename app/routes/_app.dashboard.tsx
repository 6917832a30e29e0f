import { json, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { SeatCard } from '~/components/seat-card';
import { SeatHistory } from '~/components/seat-history-chart';
import { lastDays } from '~/utils/dates';
import { requireMe } from '~/utils/session.server';
import { SEAT_LABELS, SEAT_TYPES } from '../../server/contract/seats';

export const meta: MetaFunction = () => [{ title: 'Dashboard · Seatwise' }];

/** SPEC "Seat history": the dashboard charts the last 90 days. */
const HISTORY_DAYS = 90;

export async function loader({ context, request }: LoaderFunctionArgs) {
  const me = await requireMe(context, request);
  const [seats, history] = me.permissions.includes('users.read')
    ? await Promise.all([context.trpc.seats.summary(), context.trpc.seats.history(lastDays(HISTORY_DAYS))])
    : [null, null];
  return json({ me, seats, history });
}

export default function Dashboard() {
  const { me, seats, history } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>{me.tenant.name}</h1>
      {seats ? (
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
              <SeatCard key={type} label={SEAT_LABELS[type]} pool={seats[type]} />
            ))}
          </section>
          {history ? <SeatHistory series={history} days={HISTORY_DAYS} /> : null}
        </>
      ) : (
        <p className="muted">Welcome, {me.user.firstName}. Your administrator manages users and seats for this workspace.</p>
      )}
    </>
  );
}
