import { createHash } from 'node:crypto';
import cronParser from 'cron-parser';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';

/**
 * SPEC §6: at most one run per scheduled time across all worker instances, however loaded.
 *
 * Every instance ticks on its own timer and sends the job of the latest scheduled time (the
 * "slot") if that time is recent. The job's id is derived from the queue and the slot, so every
 * instance, every tick and every retry of a tick names the same job: pg-boss inserts it once
 * (primary key, `on conflict do nothing`) and the other sends are no-ops. The queue's `singleton`
 * policy then lets one job of the queue be active at a time, so two slots never run at once.
 * Nothing depends on when a tick fires, so load, clock drift or a slow machine cannot double a run.
 */

/** A tick this long after a scheduled time still sends it (a worker started late, a busy machine). */
export const CATCH_UP_SECONDS = 5 * 60;

/** The latest time `cron` (UTC) names at or before `at`. */
export function slotAt(cron: string, at: Date): Date {
  return cronParser.parseExpression(cron, { currentDate: new Date(at.getTime() + 1), tz: 'UTC' }).prev().toDate();
}

/** The job id for one queue and scheduled time: the same on every instance (a name-based UUID). */
export function slotJobId(queue: string, slot: Date): string {
  const hash = createHash('sha256').update(`${queue}@${slot.toISOString()}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type Schedule = {
  /** Sends the job of the slot current at `at`, if recent; `sent` is false when it already existed. */
  tick(at?: Date): Promise<{ slot: Date; id: string; sent: boolean } | null>;
  stop(): void;
};

export function startSchedule({
  boss,
  queue,
  cron,
  log,
  clock = () => new Date(),
  tickSeconds = 30,
}: {
  boss: PgBoss;
  queue: string;
  cron: string;
  log: Logger;
  clock?: () => Date;
  /** 0: no timer, the caller ticks (tests). */
  tickSeconds?: number;
}): Schedule {
  cronParser.parseExpression(cron, { tz: 'UTC' });

  async function tick(at = clock()) {
    const slot = slotAt(cron, at);
    if (at.getTime() - slot.getTime() > CATCH_UP_SECONDS * 1000) return null;
    const id = slotJobId(queue, slot);
    const sent = (await boss.send(queue, { scheduledFor: slot.toISOString() }, { id })) !== null;
    if (sent) log.info({ queue, scheduledFor: slot, jobId: id }, 'scheduled job sent');
    return { slot, id, sent };
  }

  let ticking = false;
  let stopped = false;
  const onTimer = async () => {
    if (ticking || stopped) return;
    ticking = true;
    try {
      await tick();
    } catch (err) {
      log.warn({ err, queue }, 'could not send the scheduled job; the next tick tries again');
    } finally {
      ticking = false;
    }
  };
  const timer = tickSeconds > 0 ? setInterval(onTimer, tickSeconds * 1000) : null;
  if (timer) setImmediate(onTimer);

  return {
    tick,
    stop: () => {
      stopped = true;
      if (timer) clearInterval(timer);
    },
  };
}
