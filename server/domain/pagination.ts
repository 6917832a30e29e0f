import { AppError } from '../errors';

/** Opaque keyset cursors: the last row's sort values, so pages never skip or repeat rows. */
export const encodeCursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

export function decodeCursor(cursor: string | undefined, length: number): unknown[] | null {
  if (!cursor) return null;
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === length) return values;
  } catch {}
  throw new AppError('BAD_REQUEST', 'This page link is no longer valid. Start from the first page.', { field: 'cursor' });
}

export function page<T>(rows: T[], limit: number, key: (row: T) => unknown[]) {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(key(items[items.length - 1])) : null };
}
