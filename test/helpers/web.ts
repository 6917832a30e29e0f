import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerBuild } from '@remix-run/node';
import { freePort } from '../../db/embedded';
import { startWorker } from '../../worker/worker';
import { createTestApp, silentLog, startHttp } from './app';
import { onCleanup } from '../setup/cleanup';

/** The whole product as `npm start` runs it: built Remix pages, tRPC, and a real worker. */
export async function startFullStack(envOverrides: Record<string, string> = {}) {
  const port = await freePort();
  const app = await createTestApp({ APP_URL: `http://127.0.0.1:${port}`, ...envOverrides });
  const remixBuild = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as ServerBuild;
  const worker = await startWorker({ env: app.env, log: silentLog, pollingIntervalSeconds: 0.5 });
  onCleanup(() => worker.stop());
  const http = await startHttp(app.deps, { remixBuild, port });
  return { app, url: http.url };
}
