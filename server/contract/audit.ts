import { z } from 'zod';
import { isoDateTimeSchema, wholeNumberSchema } from './fields';

export const listAuditInput = z
  .object({
    actorId: z.string().max(100).optional(),
    targetId: z.string().max(100).optional(),
    action: z.string().trim().max(100).optional(),
    from: isoDateTimeSchema.optional(),
    to: isoDateTimeSchema.optional(),
    cursor: z.string().max(200).optional(),
    limit: wholeNumberSchema({ min: 1, max: 200 }).prefault(50),
  })
  .prefault({ limit: 50 });

/** audit.export: the log's filters, every matching event. */
export const exportAuditInput = z
  .object({
    actorId: z.string().max(100).optional(),
    targetId: z.string().max(100).optional(),
    action: z.string().trim().max(100).optional(),
    from: isoDateTimeSchema.optional(),
    to: isoDateTimeSchema.optional(),
  })
  .prefault({});
