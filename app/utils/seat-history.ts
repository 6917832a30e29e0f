import type { SeatType } from '../../server/contract/seats';

/** The holders page for a seat type at an instant (a chart's day links to its end), and its CSV. */
export function holdersPath(seatType: SeatType, at: string, format: 'page' | 'csv' = 'page') {
  return `/seats/holders${format === 'csv' ? '.csv' : ''}?${new URLSearchParams({ seatType, at })}`;
}
