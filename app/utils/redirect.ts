import { isReturnPath } from '../../server/contract/fields';

/** Only same-site paths: an open redirect after sign-in would hand the session page to anyone. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = '/dashboard') {
  return typeof to === 'string' && isReturnPath(to) ? to : fallback;
}
