import { queueStatements, type Trx } from '../../db/index';
import type { Actor } from './context';

/** Opens a request's transaction as its actor (withSession, withApiKey) and runs `run` in it. */
export type OpenTransaction = <T>(readOnly: boolean, run: (trx: Trx, actor: Actor) => Promise<T>) => Promise<T>;

type Opened = { trx: Trx; actor: Actor };

/**
 * Issue #20: one transaction and one session (or API key) resolution per page load. Remix runs a
 * page's loaders in parallel (the layout's and the route's), and each calls several query
 * procedures: without this, each call opened its own transaction and resolved the session again
 * (4–6 per page, against a pool of 10 connections). `npm run bench -- pages` shows what it saves.
 *
 * The first query opens one read-only transaction (its opening message resolves the actor); the
 * others wait for it, then run in it, concurrently, their statements queued one after another on
 * its connection (queueStatements, db/transaction-opening.ts). Each call still runs its
 * procedure's own checks (password change required, permissions) against the actor resolved at
 * the opening, as it would in its own transaction, and sees what was committed before each of its
 * statements (READ COMMITTED).
 *
 * Only queries share: a mutation runs in its own transaction as on any request. Only a GET (or
 * HEAD) page load has one (server/http/app.ts): an action's mutation may change the actor itself
 * (its role, its session), which later queries must see resolved afresh.
 *
 * end() is called when the response is done: once the calls in flight have settled, the
 * transaction commits, or rolls back if a call failed (read-only, so either releases the
 * connection with nothing to keep). A call after end() runs in its own transaction.
 */
export class PageTransaction {
  private opened: Promise<Opened> | undefined;
  private release: ((error?: unknown) => void) | undefined;
  private closed: Promise<unknown> | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private failure: unknown;
  private ended = false;

  /** Transactions this page load opened: 0 or 1 (tests read it). */
  opens = 0;

  run<T>(open: OpenTransaction, run: (trx: Trx, actor: Actor) => Promise<T>): Promise<T> {
    if (this.ended) return open(true, run);
    this.opened ??= this.open(open);
    const call = this.opened.then(({ trx, actor }) => run(trx, actor));
    const settled = call.catch((error) => (this.failure ??= error)).finally(() => this.inFlight.delete(settled));
    this.inFlight.add(settled);
    return call;
  }

  private open(open: OpenTransaction) {
    this.opens++;
    return new Promise<Opened>((resolve, reject) => {
      let resolved = false;
      this.closed = open(true, (trx, actor) => {
        resolved = true;
        queueStatements(trx);
        resolve({ trx, actor });
        // Held open until end(); a rejection here rolls the transaction back.
        return new Promise<void>((done, fail) => (this.release = (error) => (error ? fail(error) : done())));
      }).catch((error) => {
        // Refused at the opening (no session, a revoked key): every call of the page hears why.
        if (!resolved) reject(error);
      });
    });
  }

  /** The response is done: end the transaction once the calls in flight have settled. */
  async end() {
    if (this.ended) return;
    this.ended = true;
    if (!this.opened) return;
    // The opening itself may still be on its way: its calls are in flight, and wait for it.
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    await this.opened.catch(() => {});
    this.release?.(this.failure);
    await this.closed;
  }
}
