import { startStripeEmulator } from '../../server/stripe/emulator';
import { startWorker } from '../../worker/worker';
import { EMULATOR_WEBHOOK_SECRET } from '../../server/shared/env';
import { createTestApp, silentLog, startHttp } from './app';
import { onCleanup } from '../setup/cleanup';

/** The app over HTTP, the Stripe emulator delivering to its webhook, and (optionally) a worker. */
export async function startBilling({ worker = true, subscriptionReadDelayMs }: { worker?: boolean; subscriptionReadDelayMs?: number } = {}) {
  const emulator = await startStripeEmulator({ webhookUrl: 'http://127.0.0.1:1/unset', webhookSecret: EMULATOR_WEBHOOK_SECRET, subscriptionReadDelayMs });
  onCleanup(() => emulator.close());
  const app = await createTestApp({ STRIPE_EMULATOR_URL: emulator.url });
  const http = await startHttp(app.deps);
  emulator.setWebhookUrl(`${http.url}/webhooks/stripe`);
  if (worker) {
    const running = await startWorker({ env: app.env, log: silentLog, pollingIntervalSeconds: 0.5, now: app.clock.now });
    onCleanup(() => running.stop());
  }
  return { app, url: http.url, emulator };
}
