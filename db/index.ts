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
  const db = knexFactory({
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
  beginTenantTransactionsInOneRoundTrip(db);
  return db;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Every request pays for its round trips: a tenant transaction sends BEGIN and the tenant as one
 * simple-protocol message instead of two. Simple protocol takes no parameters, so the tenant id is
 * inlined, and only ever a strictly validated uuid.
 */
function beginTenantTransactionsInOneRoundTrip(db: Db) {
  const client = db.client as any;
  const makeTransaction = client.transaction.bind(client);
  client.transaction = (container: unknown, config: { tenantId?: string; readOnly?: boolean } | undefined, outerTx: unknown) => {
    const trx = makeTransaction(container, config, outerTx);
    const tenantId = config?.tenantId;
    if (tenantId !== undefined) {
      if (!UUID.test(tenantId)) throw new Error('A tenant id must be a uuid.');
      // knex calls begin() only after the connection is acquired, a tick after construction.
      const begin = config?.readOnly ? 'begin transaction read only' : 'begin';
      trx.begin = (conn: unknown) => trx.query(conn, `${begin}; select set_config('app.tenant_id', '${tenantId}', true);`);
    }
    return trx;
  };
}

/**
 * Runs fn in one transaction with the tenant set for row-level security. set_config(..., true) is
 * transaction-local: a plain SET would leak the tenant to the next request on the same connection.
 *
 * A read-only transaction has nothing to commit, so its answer does not wait for COMMIT: the
 * result is returned as soon as fn is done, and the connection goes back to the pool after COMMIT.
 */
export async function withTenant<T>(db: Db, tenantId: string, fn: (trx: Trx) => Promise<T>, { readOnly = false } = {}): Promise<T> {
  // A nested transaction would begin with a savepoint, where the tenant cannot be set this way.
  if (db.isTransaction) throw new Error('A tenant transaction cannot be nested in another transaction.');
  const config = { tenantId, readOnly } as Knex.TransactionConfig;
  if (!readOnly) return db.transaction(fn, config);
  return new Promise<T>((resolve, reject) => {
    db.transaction(async (trx) => {
      const result = await fn(trx);
      resolve(result);
      return result;
    }, config).catch(reject);
  });
}
