import knexFactory, { type Knex } from 'knex';
import { knexSnakeCaseMappers } from 'objection';
import type pg from 'pg';
import { openTransactionsInOneMessage } from './transaction-opening';

export { apiKeyOpenings, queueStatements, sessionOpening, tenantOpening, transactionOpenedWith, withTenant, type Opening } from './transaction-opening';

/** The role the web process works as: owns nothing, not superuser, no BYPASSRLS (SPEC "Tenant isolation"). */
// Migrations write this name out in their frozen SQL: changing it needs a migration that renames the role.
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
  /**
   * A read-only transaction's result is handed back before its COMMIT (transactionOpenedWith):
   * a COMMIT that fails afterwards is reported here. By default, to `warn`.
   */
  onLateCommitError?: (error: Error) => void;
};

export function createDb(connectionString: string, { role, max = 10, onError, warn = () => {}, onLateCommitError }: DbOptions = {}): Db {
  const db = knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: role ? 'seatwise-web' : 'seatwise' },
    pool: {
      min: 0,
      max,
      afterCreate(conn: pg.Client, done: (err: Error | null, conn: pg.Client) => void) {
        // An idle client that loses its server emits 'error'; without a listener Node would crash.
        conn.on('error', (error: Error) => onError?.(error));
        if (!role) return done(null, conn);
        conn.query(`set role ${role}`, (err: Error | null) => done(err, conn));
      },
    },
    log: { warn, error: warn, deprecate: warn, debug: () => {} },
    ...knexSnakeCaseMappers(),
  });
  openTransactionsInOneMessage(
    db,
    onLateCommitError ?? ((error) => warn(`A read-only transaction failed to commit after its result was returned: ${error.message}`)),
  );
  return db;
}
