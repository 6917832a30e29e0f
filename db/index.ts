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
  openTransactionsInOneRoundTrip(db);
  return db;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type OpeningConfig = { opening?: string; onOpen?: (rows: Record<string, unknown>[]) => void; readOnly?: boolean };

/**
 * Every request pays for its round trips: a transaction given an `opening` statement sends it in
 * the same simple-protocol message as BEGIN instead of one message after it.
 */
function openTransactionsInOneRoundTrip(db: Db) {
  const client = db.client as any;
  const makeTransaction = client.transaction.bind(client);
  client.transaction = (container: unknown, config: OpeningConfig | undefined, outerTx: unknown) => {
    const trx = makeTransaction(container, config, outerTx);
    const { opening, onOpen } = config ?? {};
    if (opening !== undefined) {
      const begin = config?.readOnly ? 'begin transaction read only' : 'begin';
      // knex calls begin() only after the connection is acquired, a tick after construction.
      trx.begin = async (conn: unknown) => {
        // knex hands back its query object; pg's answer to a two-statement message is an array.
        const { response } = await trx.query(conn, `${begin}; ${opening};`);
        onOpen?.(response.at(-1).rows);
      };
    }
    return trx;
  };
}

/**
 * Runs fn in a transaction whose first statement, `opening`, travels with BEGIN; fn gets its rows.
 * Simple protocol takes no parameters: `opening` may hold only literals its caller has strictly
 * validated (a uuid, a hex digest).
 *
 * A read-only transaction has nothing to commit, so its answer does not wait for COMMIT: the
 * result is returned as soon as fn is done, and the connection goes back to the pool after COMMIT.
 */
export async function transactionOpenedWith<T>(
  db: Db,
  opening: string,
  fn: (trx: Trx, opened: Record<string, unknown>[]) => Promise<T>,
  { readOnly = false } = {},
): Promise<T> {
  // A nested transaction would begin with a savepoint, where the opening would not run.
  if (db.isTransaction) throw new Error('A tenant transaction cannot be nested in another transaction.');
  let opened: Record<string, unknown>[] = [];
  const config = { opening, onOpen: (rows) => (opened = rows), readOnly } as OpeningConfig as Knex.TransactionConfig;
  if (!readOnly) return db.transaction((trx) => fn(trx, opened), config);
  return new Promise<T>((resolve, reject) => {
    db.transaction(async (trx) => {
      const result = await fn(trx, opened);
      resolve(result);
      return result;
    }, config).catch(reject);
  });
}

/**
 * Runs fn in one transaction with the tenant set for row-level security. set_config(..., true) is
 * transaction-local: a plain SET would leak the tenant to the next request on the same connection.
 */
export async function withTenant<T>(db: Db, tenantId: string, fn: (trx: Trx) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
  return transactionOpenedWith(db, tenantOpening(tenantId), (trx) => fn(trx), options);
}

/** The statement that travels with BEGIN for an API key's request: its tenant, for the transaction. */
export function tenantOpening(tenantId: string) {
  if (!UUID.test(tenantId)) throw new Error('A tenant id must be a uuid.');
  return `select set_config('app.tenant_id', '${tenantId}', true)`;
}
