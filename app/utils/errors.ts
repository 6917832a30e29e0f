import { json, type AppLoadContext } from '@remix-run/node';
import { GRANT_HINT, missingPermission, type Permission } from '../../server/contract/permissions';
import { SEAT_TYPES, type SeatType } from '../../server/contract/seats';

export type ActionErrors = { message: string; fieldErrors: Record<string, string[]>; data: Record<string, unknown> };

export const trpcCode = (error: unknown) => (error as { code?: string } | null)?.code;

/**
 * Runs a procedure from an action and turns a refusal into what the form shows: the message on
 * top, field messages next to their fields. Unexpected errors still throw to the error boundary.
 */
export async function attempt<T>(
  context: AppLoadContext,
  call: () => Promise<T>,
  /** The codes the page shows itself; any other refusal throws to the error page (403, 404). Default: all. */
  { keep }: { keep?: readonly string[] } = {},
): Promise<{ ok: true; value: T } | { ok: false; status: number; errors: ActionErrors }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    const code = trpcCode(error);
    if (!code || code === 'INTERNAL_SERVER_ERROR' || (keep && !keep.includes(code))) throw error;
    const status =
      { BAD_REQUEST: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, PAYLOAD_TOO_LARGE: 413, TOO_MANY_REQUESTS: 429, SERVICE_UNAVAILABLE: 503 }[code] ?? 500;
    return { ok: false, status, errors: context.errorDetails(error) };
  }
}

/** A seat refusal's details (SPEC "Seat rule and its messages"), for the page to offer the missing seats. */
export type SeatRefusalDetails = { message: string; seatType: SeatType; purchased: number; used: number };

export function seatRefusalOf(errors: ActionErrors): SeatRefusalDetails | null {
  const { reason, seatType, purchased, used } = errors.data;
  const known = SEAT_TYPES.find((t) => t === seatType);
  if (reason !== 'SEAT_LIMIT' || !known || typeof purchased !== 'number' || typeof used !== 'number') return null;
  return { message: errors.message, seatType: known, purchased, used };
}

/**
 * A page's own permission, checked before anything it loads: the 403 page then names the permission
 * the page needs, not one a procedure it happens to call first was refused for.
 */
export function requirePermission(me: { permissions: readonly string[] }, permission: Permission) {
  if (!me.permissions.includes(permission)) throw json(`${missingPermission(permission)} ${GRANT_HINT}`, { status: 403 });
}
