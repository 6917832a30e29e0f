import { redirect, type LoaderFunctionArgs } from '@remix-run/node';
import { toCsv } from '~/utils/csv';
import { dayOf, isoDay } from '~/utils/dates';
import { holdersQuery } from '~/utils/seat-holders.server';
import { requireMe } from '~/utils/session.server';

/**
 * SPEC "Seat history": the seat holders page as a CSV download. A resource route runs no layout
 * loader, so it asks for the signed-in user itself, as the app's layout does.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const me = await requireMe(context, request);
  if (me.user.mustChangePassword) throw redirect('/change-password');
  const params = new URL(request.url).searchParams;
  const { seatType, at } = holdersQuery({ seatType: params.get('seatType'), at: params.get('at') });
  const holders = await context.trpc.seats.holders({ seatType, at });
  const rows = holders.map((h) => [h.displayName, h.email, `${new Date(h.since).toISOString().slice(0, 19)}Z`]);
  return new Response(toCsv([['name', 'email', 'since'], ...rows]), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${seatType}-seat-holders-${isoDay(dayOf(at))}.csv"`,
      'Cache-Control': 'private, no-store',
    },
  });
}
