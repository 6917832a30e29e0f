import { z } from 'zod';
import { personNameSchema } from './fields';
import { updateUserInput } from './users';

/**
 * SPEC "Users": every person edits their own names, time zone (chosen from the IANA list) and
 * locale. The time zone is one of the zones this runtime lists (its canonical IANA names), or UTC,
 * which every user starts with; the page offers exactly this list.
 */
export const TIME_ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];
const KNOWN_TIME_ZONES = new Set(TIME_ZONES);

/** The same rules as an admin's edit of a user (users.ts), narrowed to the list for the time zone. */
const timeZone = updateUserInput.shape.timeZone
  .unwrap()
  // One message per mistake: a name that is no time zone at all has already been told so.
  .refine((zone) => KNOWN_TIME_ZONES.has(zone), { message: 'Choose a time zone from the list, such as Europe/Paris', when: ({ issues }) => issues.length === 0 });
const locale = updateUserInput.shape.locale.unwrap();

/** No id: the profile is always the signed-in person's own. */
export const updateProfileInput = z.object({
  firstName: personNameSchema,
  lastName: personNameSchema,
  /** Blank or absent: "first name last name". */
  displayName: z.string().trim().max(200, 'Use at most 200 characters').optional(),
  timeZone,
  locale,
});

export type UpdateProfileInput = z.output<typeof updateProfileInput>;
