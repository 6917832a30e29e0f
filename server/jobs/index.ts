import PgBoss from 'pg-boss';
import type { Knex } from 'knex';
import type { z } from 'zod';
import type { Trx } from '../../db/index';
import { deactivateInactive } from './deactivate-inactive';
import { emailSend } from './email-send';
import { stripeEvent } from './stripe-event';
import { usersImport } from './users-import';

export type JobDefinition<P extends z.ZodType = z.ZodType> = {
  name: string;
  payload: P;
  queue: Omit<PgBoss.Queue, 'name' | 'deadLetter'>;
};

export const jobs = [emailSend, deactivateInactive, stripeEvent, usersImport] satisfies JobDefinition[];

export const deadLetterQueue = (name: string) => `${name}.dead`;

/** Idempotent: run by `db:migrate` and at every worker start. */
export async function ensureQueues(boss: PgBoss) {
  const existing = new Set((await boss.getQueues()).map((q) => q.name));
  for (const job of jobs) {
    const dead = deadLetterQueue(job.name);
    if (!existing.has(dead)) await boss.createQueue(dead, { name: dead, retentionMinutes: 60 * 24 * 14 });
    const options = { name: job.name, ...job.queue, deadLetter: dead };
    if (existing.has(job.name)) await boss.updateQueue(job.name, options);
    else await boss.createQueue(job.name, options);
  }
}

/**
 * pg-boss speaks $1-style SQL; knex wants `?`. Rewriting the placeholders lets pg-boss insert the
 * job through our own transaction, so a job exists exactly when the data that caused it commits.
 */
function knexExecutor(trx: Trx) {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      const bindings: unknown[] = [];
      const sql = text.replace(/\$(\d+)/g, (_, n: string) => {
        bindings.push(values[Number(n) - 1] ?? null);
        return '?';
      });
      return trx.raw(sql, bindings as Knex.RawBinding[]);
    },
  };
}

export type JobSender = {
  (trx: Trx, job: JobDefinition, payload: unknown): Promise<string>;
  /** One statement for many jobs: set-based work stays set-based. */
  many(trx: Trx, job: JobDefinition, payloads: unknown[]): Promise<void>;
};

export function createJobSender(): JobSender {
  // Never started: it only renders pg-boss's insert, which runs on the caller's transaction.
  const boss = new PgBoss({
    db: { executeSql: () => Promise.reject(new Error('enqueue jobs through a transaction')) },
  });
  const send = async (trx: Trx, job: JobDefinition, payload: unknown) => {
    const data = job.payload.parse(payload);
    const id = await boss.send(job.name, data as object, { db: knexExecutor(trx) });
    if (!id) throw new Error(`Job ${job.name} was not enqueued: does its queue exist? Run db:migrate.`);
    return id;
  };
  const many = async (trx: Trx, job: JobDefinition, payloads: unknown[]) => {
    if (!payloads.length) return;
    const jobs = payloads.map((p) => ({ name: job.name, data: job.payload.parse(p) as object }));
    await boss.insert(jobs, { db: knexExecutor(trx) });
  };
  return Object.assign(send, { many });
}
