import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerBuild } from '@remix-run/node';
import { freePort } from '../../db/embedded';
import { EMULATOR_WEBHOOK_SECRET } from '../../server/shared/env';
import { startStripeEmulator } from '../../server/stripe/emulator';
import { startWorker } from '../../worker/worker';
import { onCleanup } from '../setup/cleanup';
import { createTestApp, silentLog, startHttp } from './app';

/** The whole product as `npm start` runs it: built Remix pages, tRPC, a real worker, the Stripe emulator. */
export async function startFullStack(envOverrides: Record<string, string> = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const emulator = await startStripeEmulator({ webhookUrl: `${url}/webhooks/stripe`, webhookSecret: EMULATOR_WEBHOOK_SECRET });
  onCleanup(() => emulator.close());
  const app = await createTestApp({ APP_URL: url, STRIPE_EMULATOR_URL: emulator.url, ...envOverrides });
  const remixBuild = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as ServerBuild;
  const worker = await startWorker({ env: app.env, log: silentLog, pollingIntervalSeconds: 0.5 });
  onCleanup(() => worker.stop());
  await startHttp(app.deps, { remixBuild, port });
  return { app, url, emulator };
}
