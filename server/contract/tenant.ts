import { z } from 'zod';
import { wholeNumberSchema } from './fields';

export const updateSettingsInput = z.object({
  name: z.string().trim().min(1, 'Required').max(100).optional(),
  inactivityDays: wholeNumberSchema({ min: 0, max: 3650 }, { min: 'Use 0 to turn the sweep off' }).optional(),
  inactivityWarningDays: wholeNumberSchema({ min: 0, max: 90 }).optional(),
  lockoutThreshold: wholeNumberSchema({ min: 1, max: 100 }, { min: 'Use at least 1', max: 'Use at most 100' }).optional(),
  sessionIdleMinutes: wholeNumberSchema({ min: 5, max: 7 * 24 * 60 }, { min: 'Use at least 5 minutes' }).optional(),
  sessionAbsoluteHours: wholeNumberSchema({ min: 1, max: 90 * 24 }).optional(),
});
