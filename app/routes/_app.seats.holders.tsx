import { json, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { Time } from '~/components/time';
import { dayOf, isMidnight } from '~/utils/dates';
import { useFormat } from '~/utils/format';
import { holdersPath } from '~/utils/seat-history';
import { holdersQuery } from '~/utils/seat-holders.server';
import { aSeat, SEAT_LABELS } from '../../server/contract/seats';
import { TableScroll } from '~/components/table-scroll';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${SEAT_LABELS[data.seatType]} seat holders · Seatwise` : 'Seat holders · Seatwise' }];

/** SPEC "Seat history": who held a seat of a type at an instant (a chart's day: its end), and since when. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  // Without an instant, now: the over-limit banner (issue #18) links here for who holds the seats today.
  const { seatType, at } = holdersQuery({ seatType: params.get('seatType'), at: params.get('at') ?? new Date().toISOString() });
  const holders = await context.trpc.seats.holders({ seatType, at });
  return json({ seatType, at, holders });
}

export default function SeatHolders() {
  const { seatType, at, holders } = useLoaderData<typeof loader>();
  const label = SEAT_LABELS[seatType];
  const format = useFormat();
  const instant = new Date(at);
  const day = format.utcDay(dayOf(at));
  return (
    <>
      <p className="muted" style={{ margin: '0 0 .5rem' }}>
        <Link to="/dashboard">Dashboard</Link> › Seat holders
      </p>
      <div className="toolbar" style={{ justifyContent: 'space-between', alignItems: 'center' }}>
        <h1 style={{ margin: 0 }}>
          {label} seat holders on {day}
        </h1>
        <a className="button secondary" href={holdersPath(seatType, at, 'csv')} download>
          Download CSV
        </a>
      </div>
      <p className="muted">
        {holders.length === 1 ? '1 user' : `${format.number(holders.length)} users`} held {aSeat(seatType)} {isMidnight(instant) ? `at the end of ${day} (UTC)` : <>at <Time at={instant} /></>}.
      </p>
      <TableScroll label="Seat holders">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Holding since</th>
            </tr>
          </thead>
          <tbody>
            {holders.map((h) => (
              <tr key={h.id}>
                <td>
                  <Link to={`/users/${h.id}`}>{h.displayName}</Link>
                </td>
                <td>{h.email}</td>
                <td>
                  <Time at={h.since} style="date" />
                </td>
              </tr>
            ))}
            {holders.length === 0 ? (
              <tr>
                <td colSpan={3} className="muted">
                  Nobody held {aSeat(seatType)} then.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}
