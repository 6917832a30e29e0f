import { TRPCError } from '@trpc/server';
import { expect } from 'vitest';
import { errorDetails } from '../../server/trpc/trpc';

/** The refusal a procedure call ended with, as a client would see it. */
export async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'expected the call to be refused').toBeInstanceOf(TRPCError);
  const details = errorDetails(error);
  return { code: (error as TRPCError).code, message: details.message, data: details.data, fieldErrors: details.fieldErrors };
}
