import { z } from 'zod';
import { templateNames } from '../mail/templates';

export const emailSendPayload = z.object({
  to: z.email(),
  template: z.enum(templateNames),
  tenantId: z.uuid().optional(),
  data: z.record(z.string(), z.unknown()).default({}),
  /**
   * A link the worker mints while sending, so that the plaintext token exists only in the email:
   * never in the job's row, which is stored in the database.
   */
  link: z.object({ purpose: z.enum(['invitation', 'password_reset']), userId: z.uuid() }).optional(),
});
export type EmailSendPayload = z.input<typeof emailSendPayload>;

export const emailSend = {
  name: 'email.send',
  payload: emailSendPayload,
  queue: { retryLimit: 8, retryDelay: 15, retryBackoff: true, expireInSeconds: 120 },
} as const;
