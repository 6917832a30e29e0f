import { z } from 'zod';
import { isoDateTimeSchema } from '../../domain/schemas';

export const listAuditInput = z
  .object({
    actorId: z.string().max(100).optional(),
    targetId: z.string().max(100).optional(),
    action: z.string().trim().max(100).optional(),
    from: isoDateTimeSchema.optional(),
    to: isoDateTimeSchema.optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .default({ limit: 50 });
