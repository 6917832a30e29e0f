import { z } from 'zod';
import { AppError } from '../shared/errors';
import { isoDateTimeSchema, isStorableText } from '../contract/fields';

/** Opaque keyset cursors: the last row's sort values, so pages never skip or repeat rows. */
export const encodeCursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

/** A cursor comes back from outside: it is decoded and checked like any other input. */
export const cursorSchemas = {
  /** Newest first by a bigserial id (audit events, login history). */
  serialId: z.tuple([z.number().int().positive().max(Number.MAX_SAFE_INTEGER)]),
  nameThenId: z.tuple([z.string().max(400).refine(isStorableText), z.uuid()]),
  timeThenId: z.tuple([isoDateTimeSchema, z.uuid()]),
  optionalTimeThenId: z.tuple([z.union([isoDateTimeSchema, z.literal('-infinity')]), z.uuid()]),
};

export function decodeCursor<T extends z.ZodTuple>(cursor: string | undefined, schema: T): z.output<T> | null {
  if (!cursor) return null;
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {}
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  throw new AppError('BAD_REQUEST', 'This page link is no longer valid. Start from the first page.', { field: 'cursor' });
}

export function page<T>(rows: T[], limit: number, key: (row: T) => unknown[]) {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(key(items[items.length - 1])) : null };
}
