/**
 * One-message transaction opening: a transaction's first statement, its "opening", travels in the
 * same simple-protocol message as BEGIN, so that a request pays one round trip for both.
 *
 * Simple protocol takes no parameters, so an opening is SQL text with literals in it. That is safe
 * only because every opening is built here, from values checked here: `Opening` is a branded
 * string that only the builders below produce, and transactionOpenedWith() accepts nothing else.
 *
 * This relies on private parts of knex 3.3.0 (pinned exactly; test/db-knex-internals.test.ts
 * fails if they move): `client.transaction(container, config, outerTx)` builds the Transaction,
 * knex calls `trx.begin(connection)` once the connection is acquired, and (queueStatements) every
 * statement of a transaction goes through its client's `query(connection, obj)`.
 */
import type { Knex } from 'knex';
import type { ApiKeyActorRow, SessionActorRow } from './tables';

declare const openingBrand: unique symbol;
/** SQL text that may travel with BEGIN: made only by the builders of this module. */
/** `Row` is the shape of the rows the opening statement returns, declared beside its SQL by its builder. */
export type Opening<Row = Record<string, unknown>> = string & { readonly [openingBrand]: true; readonly rows?: Row[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The statement that travels with BEGIN for a tenant's transaction (an API key's request, the worker, sign-in). */
export function tenantOpening(tenantId: string): Opening {
  if (typeof tenantId !== 'string' || !UUID.test(tenantId)) throw new Error('A tenant id must be a uuid.');
  return `select set_config('app.tenant_id', '${tenantId}', true)` as Opening;
}

/**
 * The statement that travels with BEGIN for a session's request: the session's actor, found by
 * its token's hash (session_actor(), migration 20261123060000), and its tenant set for the
 * transaction. One row, or none for an unknown token.
 */
export function sessionOpening(tokenHash: string): Opening<SessionActorRow> {
  if (typeof tokenHash !== 'string' || !SHA256_HEX.test(tokenHash)) throw new Error('A token hash is a SHA-256 hex digest.');
  return `select set_config('app.tenant_id', a.tenant_id::text, true) as tenant, a.* from session_actor('${tokenHash}') a` as Opening<SessionActorRow>;
}

/**
 * The statements that travel with an API key request's BEGIN (issue #20): before it, the key's
 * rate-limit hit (api_key_hit(), migration 20261201020000), committed on its own in the same
 * message so that the counter's row lock lasts one statement and a failed request still counts;
 * after it, the key's actor with its tenant set, like sessionOpening().
 */
export function apiKeyOpenings({ keyHash, counterPrefix, windowStart, calls }: { keyHash: string; counterPrefix: string; windowStart: Date; calls: number }): {
  preamble: Opening<{ hits: number | null }>;
  opening: Opening<ApiKeyActorRow>;
} {
  if (typeof keyHash !== 'string' || !SHA256_HEX.test(keyHash)) throw new Error('A key hash is a SHA-256 hex digest.');
  if (typeof counterPrefix !== 'string' || !/^[a-z-]+:$/.test(counterPrefix)) throw new Error('A rate-limit counter prefix is a lower-case name and a colon.');
  if (!(windowStart instanceof Date) || Number.isNaN(windowStart.getTime())) throw new Error('A window start is a valid date.');
  if (!Number.isSafeInteger(calls) || calls < 1 || calls > 2 ** 31 - 1) throw new Error('A request makes at least one call, an int4 count of them.');
  return {
    preamble: `select api_key_hit('${keyHash}', '${counterPrefix}', '${windowStart.toISOString()}', ${calls}) as hits` as Opening<{ hits: number | null }>,
    opening: `select set_config('app.tenant_id', a.tenant_id::text, true) as tenant, a.* from api_key_actor('${keyHash}') a` as Opening<ApiKeyActorRow>,
  };
}

type OpeningConfig = {
  opening?: Opening;
  preamble?: Opening;
  onOpen?: (rows: Record<string, unknown>[], preambleRows: Record<string, unknown>[]) => void;
  readOnly?: boolean;
};
type LateCommitHandler = (error: Error) => void;

/** Where each database's late COMMIT failures go (see transactionOpenedWith), by knex client. */
const lateCommitHandlers = new WeakMap<object, LateCommitHandler>();

/**
 * Makes `db` open a transaction given an `opening` with one message: `begin; <opening>;`. Called
 * once by createDb. `onLateCommitError` hears of a read-only transaction whose COMMIT failed after
 * its result was already handed back.
 */
export function openTransactionsInOneMessage(db: Knex, onLateCommitError: LateCommitHandler) {
  // knex's client has no public type for the internals patched here (pinned knex, test/db-knex-internals.test.ts).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const client = db.client as any;
  lateCommitHandlers.set(client, onLateCommitError);
  const makeTransaction = client.transaction.bind(client);
  client.transaction = (container: unknown, config: OpeningConfig | undefined, outerTx: unknown) => {
    const trx = makeTransaction(container, config, outerTx);
    const { opening, preamble, onOpen } = config ?? {};
    if (opening !== undefined) {
      const begin = config?.readOnly ? 'begin transaction read only' : 'begin';
      // A preamble commits on its own (COMMIT ends the message's implicit transaction) before BEGIN.
      const message = preamble === undefined ? `${begin}; ${opening};` : `${preamble}; commit; ${begin}; ${opening};`;
      // knex calls begin() only after the connection is acquired, a tick after construction.
      trx.begin = async (conn: unknown) => {
        let response: { rows: Record<string, unknown>[] }[];
        try {
          // knex hands back its query object; pg's answer to a two-statement message is an array.
          ({ response } = await trx.trxClient.query(conn, message));
        } catch (error) {
          // BEGIN ran, the opening failed: the connection is in an aborted transaction block and
          // would go back to the pool so. knex rejects the transaction with `error`.
          await trx.trxClient.query(conn, 'rollback').catch(() => {});
          throw error;
        }
        onOpen?.(response.at(-1)!.rows, preamble === undefined ? [] : response[0].rows);
      };
    }
    return trx;
  };
}

/**
 * Runs fn in a transaction whose first statement, `opening`, travels with BEGIN; fn gets its rows.
 *
 * A read-only transaction has nothing to commit, so its answer does not wait for COMMIT: the
 * result is returned as soon as fn is done, and the connection goes back to the pool after COMMIT.
 * Should that COMMIT fail, the caller has its answer already; the failure goes to createDb's
 * `onLateCommitError`.
 */
export async function transactionOpenedWith<T, Row, PreambleRow = never>(
  db: Knex,
  opening: Opening<Row>,
  fn: (trx: Knex.Transaction, opened: Row[], preambleRows: PreambleRow[]) => Promise<T>,
  { readOnly = false, preamble }: { readOnly?: boolean; preamble?: Opening<PreambleRow> } = {},
): Promise<T> {
  // A nested transaction would begin with a savepoint, where the opening would not run.
  if (db.isTransaction) throw new Error('A tenant transaction cannot be nested in another transaction.');
  let opened: Row[] = [];
  let preambleRows: PreambleRow[] = [];
  const onOpen: OpeningConfig['onOpen'] = (rows, before) => {
    opened = rows as Row[];
    preambleRows = before as PreambleRow[];
  };
  const config = { opening, preamble, onOpen, readOnly } as OpeningConfig as Knex.TransactionConfig;
  if (!readOnly) return db.transaction((trx) => fn(trx, opened, preambleRows), config);
  return new Promise<T>((resolve, reject) => {
    let answered = false;
    db.transaction(async (trx) => {
      const result = await fn(trx, opened, preambleRows);
      answered = true;
      resolve(result);
      return result;
    }, config).catch((error: Error) => {
      if (!answered) return reject(error);
      try {
        lateCommitHandlers.get(db.client)?.(error);
      } catch {
        // A failing logger must not become an unhandled rejection.
      }
    });
  });
}

/**
 * Runs fn in one transaction with the tenant set for row-level security. set_config(..., true) is
 * transaction-local: a plain SET would leak the tenant to the next request on the same connection.
 */
export async function withTenant<T>(db: Knex, tenantId: string, fn: (trx: Knex.Transaction) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
  return transactionOpenedWith(db, tenantOpening(tenantId), (trx) => fn(trx), options);
}

/**
 * Makes the statements of callers sharing `trx` concurrently (a page load's procedures,
 * server/trpc/page-transaction.ts) go to PostgreSQL one after another, each once the previous one
 * is answered: one connection answers one statement at a time anyway, and node-pg deprecates a
 * query sent while its client is busy (pg 9 will refuse it). COMMIT and ROLLBACK queue too.
 */
export function queueStatements(trx: Knex.Transaction) {
  // The transaction's own client (knex's makeTxClient), on which knex runs each of its statements.
  // Its query() refuses a statement once the transaction is complete, then sends it with the
  // client class's own query(); knex marks the transaction complete as it asks for COMMIT.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const client = trx.client as any;
  const checkThenSend = client.query;
  const send = Object.getPrototypeOf(client).query;
  let previous: Promise<unknown> = Promise.resolve();
  client.query = (connection: unknown, obj: unknown) => {
    // knex's check runs at the call, as it would; the statement leaves after the previous answer.
    if (trx.isCompleted()) return checkThenSend.call(client, connection, obj);
    const next = previous.then(() => send.call(client, connection, obj));
    previous = next.catch(() => {});
    return next;
  };
}
