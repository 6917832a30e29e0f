import { z } from 'zod';

export const updateSettingsInput = z.object({
  name: z.string().trim().min(1, 'Required').max(100).optional(),
  inactivityDays: z.coerce.number().int().min(0, 'Use 0 to turn the sweep off').max(3650).optional(),
  inactivityWarningDays: z.coerce.number().int().min(0).max(90).optional(),
  lockoutThreshold: z.coerce.number().int().min(1, 'Use at least 1').max(100, 'Use at most 100').optional(),
  sessionIdleMinutes: z.coerce.number().int().min(5, 'Use at least 5 minutes').max(7 * 24 * 60).optional(),
  sessionAbsoluteHours: z.coerce.number().int().min(1).max(90 * 24).optional(),
});
