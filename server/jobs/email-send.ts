import { z } from 'zod';
import { templateNames } from '../mail/templates';

export const emailSendPayload = z.object({
  to: z.email(),
  template: z.enum(templateNames),
  tenantId: z.uuid().optional(),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type EmailSendPayload = z.input<typeof emailSendPayload>;

export const emailSend = {
  name: 'email.send',
  payload: emailSendPayload,
  queue: { retryLimit: 8, retryDelay: 15, retryBackoff: true, expireInSeconds: 120 },
} as const;
