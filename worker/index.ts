import { loadEnv } from '../server/shared/env';
import { createLogger } from '../server/shared/logger';
import { sweepHoldFromEnv } from './handlers/deactivate-inactive';
import { importHoldFromEnv } from './handlers/users-import';
import { startWorker } from './worker';

const env = loadEnv();
const log = createLogger(env.LOG_LEVEL, 'worker');
const worker = await startWorker({ env, log, maintenanceIntervalSeconds: env.JOB_MAINTENANCE_SECONDS, scheduleTickSeconds: env.SCHEDULE_TICK_SECONDS, afterSweepTenant: sweepHoldFromEnv(process.env, log), importRunHooks: importHoldFromEnv(process.env, log) });
log.info('worker started');
process.send?.({ ready: true });

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'worker draining');
  await worker.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
