import { z } from 'zod';

/** SPEC §6: daily; `singleton` lets one run be active at a time across every worker instance. */
export const deactivateInactive = {
  name: 'users.deactivate-inactive',
  payload: z.object({}).passthrough(),
  queue: { policy: 'singleton' as const, retryLimit: 3, retryDelay: 60, retryBackoff: true, expireInSeconds: 15 * 60 },
} as const;
