import { z } from 'zod';
import { wholeNumberSchema } from './fields';

export const updateSettingsInput = z.object({
  name: z.string().trim().min(1, 'Required').max(100).optional(),
  inactivityDays: wholeNumberSchema({ min: 0, max: 3650 }, { min: 'Use 0 to turn the sweep off', max: 'Use at most 3650 days (ten years)' }).optional(),
  inactivityWarningDays: wholeNumberSchema({ min: 0, max: 90 }, { min: 'Use a number of days from 0 to 90', max: 'Use a number of days from 0 to 90' }).optional(),
  lockoutThreshold: wholeNumberSchema({ min: 1, max: 100 }, { min: 'Use at least 1', max: 'Use at most 100' }).optional(),
  sessionIdleMinutes: wholeNumberSchema({ min: 5, max: 7 * 24 * 60 }, { min: 'Use at least 5 minutes', max: 'Use at most 10080 minutes (a week)' }).optional(),
  sessionAbsoluteHours: wholeNumberSchema({ min: 1, max: 90 * 24 }, { min: 'Use at least 1 hour', max: 'Use at most 2160 hours (90 days)' }).optional(),
});
