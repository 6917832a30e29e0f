/**
 * db/transaction-opening.ts sends a transaction's opening statement in the same message as BEGIN
 * by replacing two private parts of knex: `client.transaction(container, config, outerTx)` and
 * the Transaction's `begin(connection)`. knex is pinned exactly (3.3.0); these tests fail loudly
 * if an upgrade moves what the patch relies on, and check end to end that it still does its job.
 */
import { createRequire } from 'node:module';
import { randomBytes, randomUUID } from 'node:crypto';
import knexFactory from 'knex';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiKeyOpenings, createDb, queueStatements, sessionOpening, tenantOpening, transactionOpenedWith, withTenant, type Db, type Opening } from '../db/index';
import { createTestDatabase, type TestDatabase } from './helpers/db';

let database: TestDatabase;
const extraDbs: Db[] = [];
const extraDb = (...args: Parameters<typeof createDb>) => {
  const db = createDb(...args);
  extraDbs.push(db);
  return db;
};

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(extraDbs.map((db) => db.destroy()));
});

/** Every message node-pg sends while `fn` runs, as SQL text (knex's BEGIN and COMMIT included). */
async function messagesDuring(fn: () => Promise<unknown>) {
  const sent: { client: pg.Client; text: string }[] = [];
  const original = pg.Client.prototype.query;
  const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: any[]) {
    const text = typeof args[0] === 'string' ? args[0] : args[0]?.text;
    if (!/^set role /.test(text)) sent.push({ client: this, text });
    return (original as any).apply(this, args);
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  // The messages of the transaction's own connection: other clients of this process (an earlier
  // file's pools and workers share it, vitest isolate: false) may be talking meanwhile.
  const own = sent.find((m) => /^begin/i.test(m.text))?.client;
  return sent.filter((m) => m.client === own).map((m) => m.text);
}

/** A tenant with one user and a live session, made as the owner; its token's hash opens requests. */
async function seedSession(owner: Db) {
  const [tenant] = await owner('tenants').insert({ slug: `t-${randomBytes(4).toString('hex')}`, name: 'T' }).returning('id');
  const [role] = await owner('roles').insert({ tenantId: tenant.id, name: 'Member', audience: 'internal', permissions: ['users.read'] }).returning('id');
  const [user] = await owner('users')
    .insert({ tenantId: tenant.id, kind: 'standard', email: 'u@t.test', firstName: 'U', lastName: 'T', displayName: 'U T', roleId: role.id, status: 'active' })
    .returning('id');
  const tokenHash = randomBytes(32).toString('hex');
  await owner('sessions').insert({ tenantId: tenant.id, userId: user.id, tokenHash, expiresAt: new Date(Date.now() + 3600_000) });
  return { tenantId: tenant.id as string, userId: user.id as string, tokenHash };
}

describe('knex internals the one-message opening relies on', () => {
  it('knex is exactly 3.3.0 (the patch was written against it: re-check these tests before moving it)', () => {
    const require = createRequire(import.meta.url);
    expect(require('knex/package.json').version).toBe('3.3.0');
  });

  it('client.transaction(container, config, outerTx) builds a Transaction that calls begin(connection) after construction', async () => {
    // A plain knex, not patched: what the patch wraps.
    const plain = knexFactory({ client: 'pg', connection: database.url, pool: { min: 0, max: 1 } });
    extraDbs.push(plain);
    const client = plain.client as any;
    expect(typeof client.transaction).toBe('function');

    let trx: any;
    let beganWith: unknown[] | undefined;
    const result = await new Promise((resolve, reject) => {
      trx = client.transaction(async () => 'ran', { readOnly: true }, undefined);
      // The patch replaces begin right after construction: knex must not have called it yet.
      expect(typeof trx.begin).toBe('function');
      expect(trx.begin.length).toBe(1);
      expect(typeof trx.query).toBe('function');
      // The config (second argument) reaches the Transaction.
      expect(trx.readOnly).toBe(true);
      const begin = trx.begin.bind(trx);
      trx.begin = (...args: unknown[]) => {
        beganWith = args;
        // The patch sends its message through the transaction's client, on that connection.
        expect(typeof trx.trxClient?.query).toBe('function');
        return begin(...args);
      };
      trx.then(resolve, reject);
    });
    expect(result).toBe('ran');
    expect(beganWith).toHaveLength(1);
    expect(beganWith![0]).toBeInstanceOf(pg.Client);
  });

  it('a knex transaction resolves through trxClient.query and hands back pg results with rows', async () => {
    const plain = knexFactory({ client: 'pg', connection: database.url, pool: { min: 0, max: 1 } });
    extraDbs.push(plain);
    let response: any;
    await (plain.client as any).transaction(
      async (t: any) => {
        // Two statements in one simple-protocol message: pg answers with one result per statement.
        ({ response } = await t.client.query(await t.client.acquireConnection(), `select 1 as a; select 2 as b;`));
      },
      {},
      undefined,
    );
    expect(Array.isArray(response)).toBe(true);
    expect(response.at(-1).rows).toEqual([{ b: 2 }]);
  });

  it("createDb's client.transaction is the patch (a wrapper of the same arity as knex's call)", () => {
    const client = database.web.client as any;
    expect(typeof client.transaction).toBe('function');
    expect(client.transaction.length).toBe(3);
  });
});

describe('one-message transaction opening', () => {
  it('sends BEGIN and the tenant opening as one message; the first query sees the tenant', async () => {
    const tenantId = randomUUID();
    await withTenant(database.web, tenantId, async () => {}); // a warm pooled connection
    let seen: string | undefined;
    const sent = await messagesDuring(() =>
      withTenant(database.web, tenantId, async (trx) => {
        seen = (await trx.raw(`select current_setting('app.tenant_id', true) as t`)).rows[0].t;
      }),
    );
    expect(seen).toBe(tenantId);
    expect(sent).toEqual([`begin; select set_config('app.tenant_id', '${tenantId}', true);`, `select current_setting('app.tenant_id', true) as t`, 'COMMIT;']);
  });

  it('a read-only transaction begins read only, in the same message', async () => {
    const tenantId = randomUUID();
    let readOnly: string | undefined;
    const sent = await messagesDuring(() =>
      withTenant(database.web, tenantId, async (trx) => {
        readOnly = (await trx.raw(`select current_setting('transaction_read_only') as r`)).rows[0].r;
      }, { readOnly: true }),
    );
    expect(readOnly).toBe('on');
    expect(sent[0]).toBe(`begin transaction read only; select set_config('app.tenant_id', '${tenantId}', true);`);
  });

  it("hands the session opening's rows to fn, with the session's tenant set", async () => {
    const { tenantId, userId, tokenHash } = await seedSession(database.owner);
    const [row, tenant] = await transactionOpenedWith(database.web, sessionOpening(tokenHash), async (trx, opened) => [
      opened,
      (await trx.raw(`select current_setting('app.tenant_id', true) as t`)).rows[0].t,
    ]);
    expect(row).toEqual([expect.objectContaining({ tenant: tenantId, tenant_id: tenantId, user_id: userId, status: 'active' })]);
    expect(tenant).toBe(tenantId);
    const unknown = await transactionOpenedWith(database.web, sessionOpening(randomBytes(32).toString('hex')), async (_, opened) => opened);
    expect(unknown).toEqual([]);
  });

  it('a failed opening rejects without running fn, and leaves no aborted transaction on the connection', async () => {
    const db = extraDb(database.url, { max: 1 });
    await database.owner.raw(`alter function session_actor(text) rename to session_actor_elsewhere`);
    const fn = vi.fn(async () => 'ran');
    try {
      await expect(transactionOpenedWith(db, sessionOpening('a'.repeat(64)), fn)).rejects.toThrow(/session_actor/);
      await expect(transactionOpenedWith(db, sessionOpening('a'.repeat(64)), fn, { readOnly: true })).rejects.toThrow(/session_actor/);
    } finally {
      await database.owner.raw(`alter function session_actor_elsewhere(text) rename to session_actor`);
    }
    expect(fn).not.toHaveBeenCalled();
    // The pool's only connection works: no "current transaction is aborted" left behind.
    const tenantId = randomUUID();
    expect(await withTenant(db, tenantId, async (trx) => (await trx.raw(`select current_setting('app.tenant_id') as t`)).rows[0].t)).toBe(tenantId);
    expect((await db.raw(`select now() = statement_timestamp() as outside`)).rows[0].outside).toBe(true);
  });

  it('queueStatements: concurrent callers of one transaction send each statement after the previous answer, COMMIT last', async () => {
    const messages = await messagesDuring(() =>
      withTenant(database.web, randomUUID(), async (trx) => {
        queueStatements(trx);
        const busy = vi.spyOn(process, 'emitWarning');
        try {
          // Both sent at once: the second leaves only when the first (a 50 ms sleep) is answered.
          const [slow, fast] = await Promise.all([trx.raw(`select 'slow' as s, pg_sleep(0.05)`), trx.raw(`select 'fast' as s`)]);
          expect([slow.rows[0].s, fast.rows[0].s]).toEqual(['slow', 'fast']);
          // node-pg warns of a query sent while its client is busy: none was.
          expect(busy.mock.calls.filter(([warning]) => String(warning).includes('already executing'))).toEqual([]);
        } finally {
          busy.mockRestore();
        }
      }),
    );
    expect(messages.slice(1)).toEqual([`select 'slow' as s, pg_sleep(0.05)`, `select 'fast' as s`, 'COMMIT;']);
  });

  it('refuses to open inside another transaction (a savepoint would skip the opening)', async () => {
    await expect(database.web.transaction((trx) => withTenant(trx, randomUUID(), async () => 'ran'))).rejects.toThrow('cannot be nested');
  });
});

describe('openings are built only from validated values', () => {
  it('transactionOpenedWith takes only an Opening: a free string is a type error', () => {
    const typeOnly = (db: Db) => {
      // @ts-expect-error a free string is not an Opening
      void transactionOpenedWith(db, `select set_config('app.tenant_id', 'x', true)`, async () => 1);
      // @ts-expect-error nor is any string widened to one
      const opening: Opening = 'select 1';
      void transactionOpenedWith(db, tenantOpening(randomUUID()), async () => opening);
    };
    expect(typeof typeOnly).toBe('function');
  });

  it('tenantOpening accepts a uuid and nothing else', () => {
    const id = randomUUID();
    expect(tenantOpening(id)).toBe(`select set_config('app.tenant_id', '${id}', true)`);
    for (const bad of ['', 'not-a-uuid', `${id}'`, `${id}', false); select 1; --`, `${id} `, id.replace(/-/g, ''), `x${id}`, `${id}\n`]) {
      expect(() => tenantOpening(bad), JSON.stringify(bad)).toThrow('A tenant id must be a uuid.');
    }
    expect(() => tenantOpening(undefined as unknown as string)).toThrow('A tenant id must be a uuid.');
  });

  it('sessionOpening accepts a lowercase SHA-256 hex digest and nothing else', () => {
    const hash = randomBytes(32).toString('hex');
    expect(sessionOpening(hash)).toContain(`from session_actor('${hash}') a`);
    for (const bad of ['', hash.slice(1), `${hash}0`, hash.toUpperCase(), `${hash.slice(2)}')`, `${hash.slice(0, 63)}'`, `${hash}\n`, 'g'.repeat(64)]) {
      expect(() => sessionOpening(bad), JSON.stringify(bad)).toThrow('A token hash is a SHA-256 hex digest.');
    }
  });

  it('apiKeyOpenings accept a SHA-256 hex digest, a counter prefix, a date and a count of calls, and nothing else', () => {
    const keyHash = randomBytes(32).toString('hex');
    const good = { keyHash, counterPrefix: 'api-key:', windowStart: new Date('2026-12-01T13:00:00Z'), calls: 2 };
    expect(apiKeyOpenings(good).preamble).toBe(`select api_key_hit('${keyHash}', 'api-key:', '2026-12-01T13:00:00.000Z', 2) as hits`);
    expect(apiKeyOpenings(good).opening).toContain(`from api_key_actor('${keyHash}') a`);
    for (const bad of [`${keyHash.slice(1)}'`, keyHash.toUpperCase(), '']) expect(() => apiKeyOpenings({ ...good, keyHash: bad })).toThrow('A key hash is a SHA-256 hex digest.');
    for (const bad of ["api-key:'", 'api-key', 'API:', "x:', 1); select 1; --"]) expect(() => apiKeyOpenings({ ...good, counterPrefix: bad })).toThrow('counter prefix');
    expect(() => apiKeyOpenings({ ...good, windowStart: new Date('nope') })).toThrow('A window start is a valid date.');
    for (const bad of [0, 1.5, -1, 2 ** 31, Number.NaN]) expect(() => apiKeyOpenings({ ...good, calls: bad })).toThrow('at least one call');
  });
});

describe('a read-only transaction whose COMMIT fails after it answered', () => {
  // A deferred unique constraint on a temporary table (which a read-only transaction may write)
  // is checked at COMMIT: the transaction's result is handed back before that.
  async function withLateFailure(db: Db) {
    await db.raw(`create temp table if not exists late_commit (id int, constraint late_commit_once unique (id) deferrable initially deferred)`);
    return (readOnly: boolean) =>
      withTenant(db, randomUUID(), async (trx) => {
        await trx.raw(`insert into late_commit values (1), (1)`);
        return 'answered';
      }, { readOnly });
  }

  it('answers, then reports the COMMIT failure to onLateCommitError', async () => {
    const onLateCommitError = vi.fn();
    const db = extraDb(database.url, { max: 1, onLateCommitError });
    const run = await withLateFailure(db);
    await expect(run(true)).resolves.toBe('answered');
    await vi.waitFor(() => expect(onLateCommitError).toHaveBeenCalledOnce());
    expect(onLateCommitError.mock.calls[0][0]).toBeInstanceOf(Error);
    expect(String(onLateCommitError.mock.calls[0][0].message)).toMatch(/late_commit_once/);
    // A read-write transaction waits for COMMIT: its caller gets the failure, the hook nothing.
    await expect(run(false)).rejects.toThrow(/late_commit_once/);
    expect(onLateCommitError).toHaveBeenCalledOnce();
  });

  it('without onLateCommitError, reports it to warn', async () => {
    const warn = vi.fn();
    const db = extraDb(database.url, { max: 1, warn });
    const run = await withLateFailure(db);
    await expect(run(true)).resolves.toBe('answered');
    await vi.waitFor(() => expect(warn).toHaveBeenCalledWith(expect.stringMatching(/failed to commit.*late_commit_once/)));
  });
});
