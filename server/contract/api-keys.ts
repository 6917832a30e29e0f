import { z } from 'zod';
import { isoDateTimeSchema } from './fields';

export const createApiKeyInput = z.object({
  userId: z.uuid(),
  name: z.string().trim().min(1, 'Name the key after what uses it').max(100, 'Use at most 100 characters'),
  expiresAt: isoDateTimeSchema.optional(),
});
export const listApiKeysInput = z.object({ userId: z.uuid() });
export const revokeApiKeyInput = z.object({ id: z.uuid() });
