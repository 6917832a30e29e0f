import { json, type LoaderFunctionArgs } from '@remix-run/node';
import { attempt } from '~/utils/errors';

/** The audit filters' suggestions as a name is typed (JSON for the page's fetcher). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const q = new URL(request.url).searchParams.get('q') ?? '';
  const result = await attempt(context, () => context.trpc.audit.people({ q }));
  return result.ok ? json(result.value) : json({ people: [], more: false, message: result.errors.message }, { status: result.status });
}
