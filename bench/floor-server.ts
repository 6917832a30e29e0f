/**
 * The fixed stack's floor: express and tRPC, mounted as the web process mounts them, around
 * procedures that validate their input and return a stored answer, the same one the app gives.
 *
 * - `answer` does nothing else: what any request costs before Seatwise does anything.
 * - `statements` first runs the raw baseline's own statements on a pooled node-pg connection.
 * - `request` runs them as a request of the app must: in a read-only transaction opened by the
 *   request's opening message (its session or its tenant), with COMMIT not awaited, as the app does.
 * - `knexRequest` does the same through knex, the stack's query layer, opening its transaction
 *   exactly as the app does (transactionOpenedWith, db/index.ts).
 *
 * No middleware, no query building, no Seatwise code, and the bench's own connection (no
 * row-level security): what the app measures above `knexRequest` is Seatwise's own cost, and
 * nothing the app could do on this stack, short of skipping work, takes less time than `request`.
 */
import { initTRPC } from '@trpc/server';
import express from 'express';
import pg from 'pg';
import { z } from 'zod';
import { createDb, sessionOpening, tenantOpening, transactionOpenedWith, type Db, type Opening } from '../db/index';
import { trpcExpressHandler } from '../server/http/trpc-handler';

export type FloorStatement = { text: string; values: unknown[]; rows: number };
export type FloorDatabase = {
  url: string;
  /** Run once on each new connection, as the raw baseline's connections do (the tenant, set for the session). */
  onConnect?: string;
  /**
   * What travels with BEGIN in the app: the session look-up with its tenant, or the tenant alone.
   * Sent as its values: an opening is built only by db/transaction-opening.ts's builders.
   */
  opening: { tokenHash: string } | { tenantId: string };
  statements: FloorStatement[];
};
export type FloorSetup = { answer: unknown; database?: FloorDatabase };

/** The app's own answer to the request being compared, sent by the bench: the same bytes go out. */
let setup: FloorSetup = { answer: null };
let pool: pg.Pool | undefined;
let db: Db | undefined;
let opening: Opening | undefined;
const prepared = new WeakSet<pg.PoolClient>();

process.on('message', (message) => {
  setup = message as FloorSetup;
  if (setup.database) {
    pool = new pg.Pool({ connectionString: setup.database.url, max: 10 });
    db = createDb(setup.database.url);
    const spec = setup.database.opening;
    opening = 'tokenHash' in spec ? sessionOpening(spec.tokenHash) : tenantOpening(spec.tenantId);
  }
  process.send?.('stored');
});

async function connect(database: FloorDatabase) {
  const connection = await pool!.connect();
  if (database.onConnect && !prepared.has(connection)) {
    await connection.query(database.onConnect);
    prepared.add(connection);
  }
  return connection;
}

/** A floor that found nothing would be cheaper than the work it stands for: refuse to measure it. */
function expectRows({ text, rows }: FloorStatement, found: number | null) {
  if (found !== rows) throw new Error(`The floor's statement found ${found} rows, not ${rows}: ${text}`);
}

async function runStatements(connection: pg.PoolClient, database: FloorDatabase) {
  for (const statement of database.statements) expectRows(statement, (await connection.query(statement.text, statement.values)).rowCount);
}

/** knex binds `?` in order where node-pg numbers its parameters. */
function knexBindings({ text, values }: FloorStatement) {
  const ordered: unknown[] = [];
  const sql = text.replace(/\$(\d+)/g, (_, n: string) => {
    ordered.push(values[Number(n) - 1]);
    return '?';
  });
  return [sql, ordered] as const;
}

const t = initTRPC.create();
const input = z.record(z.string(), z.unknown());
const router = t.router({
  answer: t.procedure.input(input).query(() => setup.answer),
  statements: t.procedure.input(input).query(async () => {
    const database = setup.database!;
    const connection = await connect(database);
    try {
      await runStatements(connection, database);
    } finally {
      connection.release();
    }
    return setup.answer;
  }),
  request: t.procedure.input(input).query(async () => {
    const database = setup.database!;
    const connection = await connect(database);
    try {
      await connection.query(`begin transaction read only; ${opening}`);
      await runStatements(connection, database);
    } catch (error) {
      connection.release(error as Error);
      throw error;
    }
    void connection.query('commit').then(
      () => connection.release(),
      (error: Error) => connection.release(error),
    );
    return setup.answer;
  }),
  knexRequest: t.procedure.input(input).query(async () => {
    const database = setup.database!;
    await transactionOpenedWith(
      db!,
      opening!,
      async (trx) => {
        for (const statement of database.statements) {
          const [sql, values] = knexBindings(statement);
          expectRows(statement, (await trx.raw(sql, values as never[])).rowCount);
        }
      },
      { readOnly: true },
    );
    return setup.answer;
  }),
});

export type FloorProcedure = keyof typeof router._def.procedures;

const app = express();
app.use('/trpc', trpcExpressHandler({ router }));
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
