import { redirect, type LoaderFunctionArgs } from '@remix-run/node';
import { requireMe } from '~/utils/session.server';

/** SPEC "Run": the report of an import, one line per input row with its result. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const me = await requireMe(context, request);
  if (me.user.mustChangePassword) throw redirect('/change-password');
  const csv = await context.trpc.imports.report({ id: params.id ?? '' });
  return new Response(csv, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="import-${params.id}-report.csv"`,
      'Cache-Control': 'private, no-store',
    },
  });
}
