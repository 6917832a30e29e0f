import { createCookie } from '@remix-run/node';
import { z } from 'zod';

/**
 * Issue #18: a new user refused for want of a seat is kept, in this browser only, while the admin
 * buys the seat in Checkout, so the form comes back filled in. Kept off the Checkout addresses,
 * which Stripe stores: an httpOnly cookie scoped to the form, for an hour, cleared on creation.
 */
const draftCookie = createCookie('seatwise_new_user_draft', {
  path: '/users/new',
  httpOnly: true,
  sameSite: 'lax',
  secure: process.env.NODE_ENV === 'production',
  maxAge: 60 * 60,
});

const DRAFT_FIELDS = ['kind', 'firstName', 'lastName', 'email', 'displayName', 'userName', 'roleId', 'timeZone', 'locale', 'samlNameId'] as const;
const draftSchema = z.partialRecord(z.enum(DRAFT_FIELDS), z.string().max(500));
export type UserDraft = z.infer<typeof draftSchema>;

export async function saveUserDraft(values: Record<string, unknown>) {
  const draft: UserDraft = {};
  for (const name of DRAFT_FIELDS) if (typeof values[name] === 'string') draft[name] = values[name];
  return draftCookie.serialize(draft);
}

export async function readUserDraft(request: Request): Promise<UserDraft | null> {
  const parsed = draftSchema.safeParse(await draftCookie.parse(request.headers.get('Cookie')));
  return parsed.success ? parsed.data : null;
}

export const clearUserDraft = () => draftCookie.serialize({}, { maxAge: 0 });
