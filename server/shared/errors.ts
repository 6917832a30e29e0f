/**
 * The one error type of the domain (STYLE §4). Domain code throws it with a tRPC-style code;
 * server/trpc/trpc.ts maps it, and database constraint errors, to tRPC errors in one place.
 */
export type AppErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TOO_MANY_REQUESTS'
  | 'SERVICE_UNAVAILABLE';

export type AppErrorData = {
  /** The form field the message belongs to, shown next to it in the UI. */
  field?: string;
  reason?: string;
  [key: string]: unknown;
};

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly data: AppErrorData = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Unique constraints whose violation is a user's mistake, with the message they should see. */
const uniqueViolations: Record<string, AppError> = {
  tenants_slug_key: new AppError('BAD_REQUEST', 'This workspace address is taken', { field: 'slug' }),
  users_email_key: new AppError('CONFLICT', 'A user with this email already exists in this workspace', { field: 'email' }),
  users_user_name_key: new AppError('CONFLICT', 'This user name is taken', { field: 'userName' }),
  roles_name_key: new AppError('CONFLICT', 'A role with this name already exists', { field: 'name' }),
  users_scim_user_name_key: new AppError('CONFLICT', 'A user with this userName already exists', { field: 'userName', scimType: 'uniqueness' }),
  scim_groups_display_name_key: new AppError('CONFLICT', 'A group with this displayName already exists', { field: 'displayName', scimType: 'uniqueness' }),
};

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '08006', '08001']);

export function fromDatabaseError(error: unknown): AppError | undefined {
  const pg = error as { code?: string; constraint?: string; message?: string };
  if (!pg || typeof pg !== 'object') return undefined;
  if (pg.code === '23505' && pg.constraint && uniqueViolations[pg.constraint]) return uniqueViolations[pg.constraint];
  if (
    (pg.code && CONNECTION_ERRORS.has(pg.code)) ||
    pg.message?.includes('Connection terminated') ||
    pg.message?.includes('Knex: Timeout acquiring a connection')
  ) {
    return new AppError('SERVICE_UNAVAILABLE', 'The database is unavailable. Please try again in a moment.');
  }
  // Lock orders are kept so that requests queue; this backstop says so should two still collide.
  if (pg.code === '40P01' || pg.code === '40001') {
    return new AppError('SERVICE_UNAVAILABLE', 'Another change to the same records ran at the same moment. Please try again.', { retryAfterSeconds: 1 });
  }
  // Class 22 is "data exception": a value the database cannot store or compare. Inputs are checked
  // at the edge; this is the backstop that keeps a missed case a 400, never a 500.
  if (pg.code?.startsWith('22')) {
    return new AppError('BAD_REQUEST', 'A value in this request cannot be stored or compared. Check the fields and try again.', { reason: 'INVALID_VALUE' });
  }
  return undefined;
}
