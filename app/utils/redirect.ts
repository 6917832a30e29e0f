/** Only same-site paths: an open redirect after sign-in would hand the session page to anyone. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = '/dashboard') {
  // Browsers drop tabs and newlines from a Location and read a backslash as a slash: `/\t/evil`
  // would leave the site, and a newline cannot be sent in a header at all.
  if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//') || [...to].some((c) => c <= ' ' || c === '\u007f' || c === '\\')) return fallback;
  return to;
}
