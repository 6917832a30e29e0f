import { useRouteLoaderData } from '@remix-run/react';
import { formatterFor, type Formatter } from '../../server/contract/format';

/** The part of the app layout's loader data the formatter needs (app/routes/_app.tsx). */
type LayoutData = { me?: { user?: { timeZone?: string | null; locale?: string | null } } };

/**
 * The signed-in person's formatter (SPEC "Users": their own time zone and locale), read from the
 * app layout's loader data, so the server's render and the browser's hydration use the same zone
 * and locale. Outside the app layout (sign-in pages) it is UTC / en-US.
 */
export function useFormat(): Formatter {
  const data = useRouteLoaderData('routes/_app') as LayoutData | undefined;
  return formatterFor(data?.me?.user);
}
