import { redirect, type ActionFunctionArgs } from '@remix-run/node';
import { trpcCode } from '~/utils/errors';

export async function action({ context }: ActionFunctionArgs) {
  try {
    await context.trpc.auth.logout();
  } catch (error) {
    // Already signed out (expired or ended session): the outcome the person wanted.
    if (trpcCode(error) !== 'UNAUTHORIZED') throw error;
  }
  return redirect('/login');
}

export const loader = () => redirect('/login');
