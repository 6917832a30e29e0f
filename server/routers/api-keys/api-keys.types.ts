import { z } from 'zod';

export const createApiKeyInput = z.object({
  userId: z.uuid(),
  name: z.string().trim().min(1, 'Name the key after what uses it').max(100, 'Use at most 100 characters'),
  expiresAt: z.iso.datetime({ offset: true, message: 'Use an ISO 8601 date and time' }).optional(),
});
export const listApiKeysInput = z.object({ userId: z.uuid() });
export const revokeApiKeyInput = z.object({ id: z.uuid() });
