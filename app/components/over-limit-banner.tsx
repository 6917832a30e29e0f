import { Link } from '@remix-run/react';
import { SEAT_LABELS, SEAT_TYPES, type SeatType } from '../../server/contract/seats';
import { buySeatsPath, useCanBuySeats, WHO_CAN_BUY } from './seat-refusal';

type Pools = Record<SeatType, { overLimit: boolean; overBy: number }>;

/**
 * SPEC "Seat rule": over the limit, nobody is removed, and the UI says how many users must be
 * deactivated or seats bought. Issue #18: on every page that shows seats, with a link to the
 * users holding them (the seat holders page, now) and, for billing admins, to buy the difference.
 */
export function OverLimitBanner({ seats }: { seats: Pools }) {
  const canBuy = useCanBuySeats();
  return (
    <>
      {SEAT_TYPES.filter((type) => seats[type].overLimit).map((type) => {
        const { overBy } = seats[type];
        const label = SEAT_LABELS[type];
        return (
          <div className="banner" role="alert" key={type} data-testid={`over-limit-${type}`}>
            You are over your {label} seat limit by {overBy}: deactivate {overBy} {overBy === 1 ? 'user' : 'users'} or buy more seats. New {label}s cannot be
            added until then. <Link to={`/seats/holders?seatType=${type}`}>See who holds {label} seats</Link>
            {canBuy ? (
              <>
                {' · '}
                <Link to={buySeatsPath(type, overBy)}>
                  Buy {overBy} more {label} {overBy === 1 ? 'seat' : 'seats'}
                </Link>
              </>
            ) : (
              ` · ${WHO_CAN_BUY} to buy more.`
            )}
          </div>
        );
      })}
    </>
  );
}
