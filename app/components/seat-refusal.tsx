import { Form, Link, useRouteLoaderData, useSearchParams } from '@remix-run/react';
import type { loader as appLoader } from '~/routes/_app';
import type { SeatRefusalDetails } from '~/utils/errors';
import { SEAT_LABELS, SEAT_TYPES, type SeatType } from '../../server/contract/seats';
import { FormAlert } from './field';

/** Issue #18: who may buy seats, for those who may not. */
export const WHO_CAN_BUY = 'Ask an Owner or billing admin';

/** Whether the person signed in may buy seats (the app layout's loader knows their permissions). */
export function useCanBuySeats() {
  const layout = useRouteLoaderData<typeof appLoader>('routes/_app');
  return layout?.me.permissions.includes('billing.manage') ?? false;
}

const seats = (n: number, seatType: SeatType) => `${n} more ${SEAT_LABELS[seatType]} ${n === 1 ? 'seat' : 'seats'}`;

/** The seats to buy for one more user of the kind: one, plus as many as the workspace is over. */
export const missingSeats = ({ purchased, used }: { purchased: number; used: number }) => Math.max(1, used - purchased + 1);

/** Where the billing page's buy form starts filled in for the seats missing, and where it comes back to. */
export const buySeatsPath = (seatType: SeatType, quantity: number, returnTo?: string) =>
  `/billing?${new URLSearchParams({ seatType, quantity: String(quantity), ...(returnTo ? { returnTo } : {}) })}`;

/**
 * SPEC §7 "seat refusals show the message above and a way to buy the seats that are missing":
 * the verbatim message, then a button that opens Checkout for exactly those seats and brings the
 * buyer back to `returnTo`. A plain POST form, so it works without JavaScript. People without
 * billing.manage are told who can buy instead.
 */
export function SeatRefusal({ refusal, returnTo, action = '/billing', children }: { refusal: SeatRefusalDetails; returnTo: string; action?: string; children?: React.ReactNode }) {
  const canBuy = useCanBuySeats();
  const missing = missingSeats(refusal);
  return (
    <div className="seat-refusal">
      <FormAlert message={refusal.message} />
      {canBuy ? (
        <Form method="post" action={action} className="seat-refusal-fix">
          <input type="hidden" name="intent" value="checkout" />
          <input type="hidden" name="seatType" value={refusal.seatType} />
          <input type="hidden" name="quantity" value={missing} />
          <input type="hidden" name="returnTo" value={returnTo} />
          {children}
          <button type="submit">Buy {seats(missing, refusal.seatType)}</button>
          <span className="muted">Checkout brings you back here.</span>
        </Form>
      ) : (
        <p className="seat-refusal-fix muted">
          {WHO_CAN_BUY} to buy {seats(missing, refusal.seatType)}.
        </p>
      )}
    </div>
  );
}

/** Back from Checkout (issue #18): the seats that were added, or that nothing was charged. */
export function CheckoutReturnNotice() {
  const [search] = useSearchParams();
  const added = Number(search.get('seatsAdded'));
  const seatType = SEAT_TYPES.find((t) => t === search.get('seatType'));
  if (Number.isInteger(added) && added > 0 && seatType) {
    return (
      <p className="notice" role="status">
        {added} {SEAT_LABELS[seatType]} {added === 1 ? 'seat was' : 'seats were'} added. You can go on where you left off.
      </p>
    );
  }
  if (search.get('checkout') === 'canceled') return <p className="muted">Checkout was canceled; nothing was charged.</p>;
  return null;
}

type Pools = Record<SeatType, { purchased: number; used: number; available: number }>;

/** Issue #18: said up front, next to the kind choice, before anyone types a user a seat cannot hold. */
export function NoFreeSeats({ seats: pools, returnTo }: { seats: Pools; returnTo: (seatType: SeatType) => string }) {
  const canBuy = useCanBuySeats();
  const full = SEAT_TYPES.filter((t) => pools[t].available === 0);
  if (!full.length) return null;
  return (
    <ul className="no-free-seats" aria-label="Kinds without free seats">
      {full.map((t) => (
        <li key={t}>
          No free {SEAT_LABELS[t]} seats —{' '}
          {canBuy ? <Link to={buySeatsPath(t, missingSeats(pools[t]), returnTo(t))}>buy more</Link> : 'ask an Owner or billing admin to buy more'}
        </li>
      ))}
    </ul>
  );
}
