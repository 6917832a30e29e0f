import knexFactory, { type Knex } from 'knex';
import { knexSnakeCaseMappers } from 'objection';

/** The role the web process works as: owns nothing, not superuser, no BYPASSRLS (SPEC "Tenant isolation"). */
export const WEB_ROLE = 'seatwise_web';

export type Db = Knex;
export type Trx = Knex.Transaction;

type DbOptions = {
  /** Switch every pooled connection to this role right after it opens. */
  role?: string;
  max?: number;
  onError?: (error: Error) => void;
  /** Where knex's own warnings go (a lost connection, a pool timeout); silent by default. */
  warn?: (message: string) => void;
};

export function createDb(connectionString: string, { role, max = 10, onError, warn = () => {} }: DbOptions = {}): Db {
  return knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: role ? 'seatwise-web' : 'seatwise' },
    pool: {
      min: 0,
      max,
      afterCreate(conn: any, done: (err: Error | null, conn: any) => void) {
        // An idle client that loses its server emits 'error'; without a listener Node would crash.
        conn.on('error', (error: Error) => onError?.(error));
        if (!role) return done(null, conn);
        conn.query(`set role ${role}`, (err: Error | null) => done(err, conn));
      },
    },
    log: { warn, error: warn, deprecate: warn, debug: () => {} },
    ...knexSnakeCaseMappers(),
  });
}

/**
 * Runs fn in one transaction with the tenant set for row-level security. set_config(..., true) is
 * transaction-local: a plain SET would leak the tenant to the next request on the same connection.
 */
export async function withTenant<T>(db: Db, tenantId: string, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    await trx.raw(`select set_config('app.tenant_id', ?, true)`, [tenantId]);
    return fn(trx);
  });
}
