import type { z } from 'zod';
import type { bulkResendInvitationInput, bulkSetStatusInput } from '../../contract/users';
import { statusVerb } from '../../contract/statuses';
import { AppError, type AppErrorCode } from '../../shared/errors';
import type { Scope } from '../scope';
import { changeStatusByAdmin } from './status';
import { resendInvitation } from './update';

type Refused = { id: string; name: string; code: AppErrorCode; reason: string | null; message: string };

/**
 * A bulk action is the single action once per user, in the request's one transaction, so each
 * user meets the same rules (not yourself, nobody with more power, never the last active Owner,
 * the transition table) and gets the same audit event. All or nothing: one refusal and the
 * transaction rolls back, with every refused user named; nobody is skipped in silence.
 */
async function eachOrNone(scope: Scope, ids: string[], what: string, act: (id: string) => Promise<unknown>) {
  const refused: Refused[] = [];
  for (const id of ids) {
    try {
      await act(id);
    } catch (error) {
      // Anything but a refusal (a lost connection, an aborted transaction) is not a user's to report.
      if (!(error instanceof AppError)) throw error;
      refused.push({ id, name: '', code: error.code, reason: typeof error.data.reason === 'string' ? error.data.reason : null, message: error.message });
    }
  }
  if (!refused.length) return { count: ids.length, ids };
  const names = new Map(
    (await scope.trx('users').whereIn('id', refused.map((r) => r.id)).select('id', 'displayName', 'email')).map((u) => [u.id, `${u.displayName} (${u.email})`]),
  );
  for (const r of refused) r.name = names.get(r.id) ?? `Unknown user ${r.id}`;
  const codes = new Set(refused.map((r) => r.code));
  // One status for the whole answer: an unknown id first (404), then a permission (403), else the first refusal's.
  const code: AppErrorCode = codes.has('NOT_FOUND') ? 'NOT_FOUND' : codes.has('FORBIDDEN') ? 'FORBIDDEN' : refused[0].code;
  const whom = refused.length === 1 ? '1 user' : `${refused.length} users`;
  throw new AppError(
    code,
    `Nothing was changed: ${whom} of ${ids.length} cannot be ${what}. ${refused.map((r) => `${r.name}: ${r.message}`).join(' ')}`,
    { reason: 'BULK_REFUSED', refused },
  );
}

export async function bulkSetStatus(scope: Scope, input: z.output<typeof bulkSetStatusInput>) {
  return eachOrNone(scope, input.ids, statusVerb(input.status), (id) => changeStatusByAdmin(scope, { id, status: input.status, reason: input.reason }));
}

export async function bulkResendInvitation(scope: Scope, input: z.output<typeof bulkResendInvitationInput>) {
  return eachOrNone(scope, input.ids, 'sent an invitation', (id) => resendInvitation(scope, { id }));
}
