import { redirect, type LoaderFunctionArgs } from '@remix-run/node';
import { trpcCode } from '~/utils/errors';

export async function loader({ context }: LoaderFunctionArgs) {
  try {
    await context.trpc.auth.me();
    return redirect('/dashboard');
  } catch (error) {
    if (trpcCode(error) === 'UNAUTHORIZED') return redirect('/login');
    throw error;
  }
}
