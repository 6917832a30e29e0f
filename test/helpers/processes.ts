import { spawn, type ChildProcess } from 'node:child_process';
import { onCleanup } from '../setup/cleanup';
import { freePort } from '../../db/embedded';

/** A real web process (`server/index.ts`, as on Fly) on the test database; stopped after the file. */
export async function startWebProcess(env: Record<string, string>) {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'error', SIGNUP_RATE_LIMIT: '100000', PORT: String(port), APP_URL: `http://127.0.0.1:${port}`, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => {
      // The IPC channel was only for "ready": it must not keep the test worker alive.
      child.channel?.unref();
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`web process exited with ${code}`)));
  });
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  return { url: `http://127.0.0.1:${port}`, child };
}
