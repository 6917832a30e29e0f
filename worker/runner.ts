import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';

export type JobHandler = (job: PgBoss.JobWithMetadata<unknown>) => Promise<unknown>;

export type JobLoop = {
  /** Polls made so far: a test waits for more of them to know the loop has looked at the queue. */
  readonly polls: number;
  /** Stops fetching; waits up to `timeoutMs` for the job in hand, then fails it so it runs again. */
  stop(timeoutMs: number): Promise<void>;
};

class Expired extends Error {}

/**
 * fetch → run → complete or fail, one job at a time, every database call awaited and its error
 * logged. pg-boss's own `work` loop completes and fails jobs without awaiting them, so a connection
 * lost at that moment (PostgreSQL restarting: 57P01) became an unhandled rejection that could end
 * the process. Here a lost completion is only logged: the job stays active, expires and runs again
 * (every job is idempotent: SPEC §6).
 *
 * As pg-boss does, a job still running at its expiry is failed (and so retried); unlike pg-boss,
 * the loop fetches nothing more until that handler has really returned.
 */
export function startJobLoop({
  boss,
  name,
  pollingIntervalSeconds,
  log,
  handler,
}: {
  boss: PgBoss;
  name: string;
  pollingIntervalSeconds: number;
  log: Logger;
  handler: JobHandler;
}): JobLoop {
  let stopping = false;
  let polls = 0;
  let wake: (() => void) | null = null;
  let inHand: PgBoss.JobWithMetadata<unknown> | null = null;

  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  /** Completion and failure are bookkeeping: if the database is gone, expiry does the rest. */
  const record = async (what: 'complete' | 'fail', job: PgBoss.JobWithMetadata<unknown>, data?: unknown) => {
    try {
      if (what === 'complete') await boss.complete(name, job.id, data as object | undefined);
      else await boss.fail(name, job.id, data as object | undefined);
    } catch (err) {
      log.warn({ err, jobId: job.id, queue: name }, `could not ${what} the job; it will run again after it expires`);
    }
  };

  const runOne = async (job: PgBoss.JobWithMetadata<unknown>) => {
    const running = handler(job);
    let timer: NodeJS.Timeout | undefined;
    const expiry = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Expired(`job expired after ${job.expireInSeconds} s`)), job.expireInSeconds * 1000);
    });
    try {
      await record('complete', job, toOutput(await Promise.race([running, expiry])));
    } catch (err) {
      await record('fail', job, err);
      // Expired: the retry may run elsewhere, but never a second copy here.
      if (err instanceof Expired) await running.catch(() => {});
    } finally {
      clearTimeout(timer);
    }
  };

  const loop = (async () => {
    while (!stopping) {
      let job: PgBoss.JobWithMetadata<unknown> | undefined;
      try {
        polls += 1;
        [job] = await boss.fetch(name, { includeMetadata: true, batchSize: 1 });
      } catch (err) {
        log.warn({ err, queue: name }, 'could not fetch jobs');
      }
      if (!job) {
        if (!stopping) await nap(pollingIntervalSeconds * 1000);
        continue;
      }
      inHand = job;
      await runOne(job);
      inHand = null;
    }
  })();

  return {
    get polls() {
      return polls;
    },
    async stop(timeoutMs) {
      stopping = true;
      wake?.();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([loop.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)))]);
      clearTimeout(timer);
      if (timedOut && inHand) await record('fail', inHand, new Error('the worker stopped while the job was running'));
    },
  };
}

/** pg-boss stores a handler's result as the job's output when it is an object. */
function toOutput(result: unknown) {
  if (result === null || result === undefined || typeof result === 'function') return undefined;
  return typeof result === 'object' && !Array.isArray(result) ? result : { value: result };
}
