import { z } from 'zod';
import { isoDateTimeSchema, wholeNumberSchema } from './fields';

/** A person as typed in an audit filter: part of a name, a user name or an email (issue #18). */
const personQuery = z.string().trim().max(200, 'Use at most 200 characters');

export const listAuditInput = z
  .object({
    actorId: z.string().max(100).optional(),
    targetId: z.string().max(100).optional(),
    /**
     * Who acted or was acted on, by name or email: the server resolves it to the matching people
     * (one exact email or name picks one; otherwise every match, listed back as choices). An id
     * given alongside wins.
     */
    actor: personQuery.optional(),
    target: personQuery.optional(),
    action: z.string().trim().max(100).optional(),
    from: isoDateTimeSchema.optional(),
    to: isoDateTimeSchema.optional(),
    cursor: z.string().max(200).optional(),
    limit: wholeNumberSchema({ min: 1, max: 200 }).prefault(50),
  })
  .prefault({ limit: 50 });

/** The audit filters' suggestions as a name is typed. */
export const auditPeopleInput = z.object({ q: personQuery.min(1, 'Type part of a name or email') });

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
