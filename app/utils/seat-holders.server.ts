import { json } from '@remix-run/node';
import { parseForm } from './forms';
import { seatHoldersInput } from '../../server/contract/seat-history';

const NAMES: Record<string, string> = { seatType: 'Seat type', at: 'Time' };

/**
 * The seat holders page's and the CSV's address: a seat type and an instant, checked with the
 * contract's schema. An address that names neither is a 400 page that says what is wrong.
 */
export function holdersQuery(given: { seatType: string | null; at: string | null }) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(given)) if (value !== null) params.set(name, value);
  const submission = parseForm(params, seatHoldersInput);
  if (submission.status === 'success') return submission.value;
  const problems = Object.entries(submission.error ?? {}).map(([name, messages]) => `${NAMES[name] ?? name}: ${(messages ?? []).join(' ')}.`);
  throw json(`These seat holders cannot be shown. ${problems.join(' ')}`, { status: 400 });
}

