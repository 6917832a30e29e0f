import { z } from 'zod';

/**
 * SPEC §6: an import's run. All or nothing in one transaction: a worker killed mid-run leaves
 * nothing behind, and the job runs again from the start after its expiry.
 */
export const usersImport = {
  name: 'users.import',
  payload: z.object({ tenantId: z.uuid(), importId: z.uuid() }),
  queue: { retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInSeconds: 15 * 60 },
} as const;
