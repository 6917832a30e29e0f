import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, startEmbeddedPostgres } from '../db/embedded';
import { ensureDatabase, migrateLatest } from '../db/migrate';

/** A throwaway migrated database: DATABASE_URL's server, or an embedded one in a temp folder. */
export async function benchDatabase() {
  let stop = async () => {};
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seatwise-bench-'));
    await chmod(dir, 0o755);
    const server = await startEmbeddedPostgres({ dir, durable: false });
    serverUrl = server.url;
    stop = async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const url = await ensureDatabase(serverUrl, `seatwise_bench_${process.pid}`);
  await migrateLatest(url);
  return { url, stop };
}

/** The real web process, so that its memory is measured on its own. */
export async function startWeb(databaseUrl: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/seatwise-prof'] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'server/index.ts'], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: String(port), DATABASE_URL: databaseUrl, SIGN_IN_RATE_LIMIT: '100000', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', reject);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    /** Peak resident memory of the web process so far (VmHWM), in MB. */
    peakMemoryMb: async () => Number(/VmHWM:\s+(\d+)/.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The stack floor (floor-server.ts) in its own process, like the real web process. */
export async function startFloorServer() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/floor-server.ts'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number }));
    child.once('exit', reject);
  });
  return {
    /** A tRPC query URL of the floor's empty procedure. */
    url: (input: unknown) => `http://127.0.0.1:${port}/trpc/echo?input=${encodeURIComponent(JSON.stringify(input))}`,
    stop: () => void child.kill('SIGTERM'),
  };
}

/** Both sides of a comparison run warm: JIT-compiled code, pooled connections, cached plans. */
export const WARM_UP = 200;

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

export async function timeEach(times: number, fn: (i: number) => Promise<unknown>) {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

/** Operations per second with `clients` loops sharing `total` operations. */
export async function throughput(total: number, clients: number, fn: (i: number) => Promise<unknown>) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < total; i = next++) await fn(i);
    }),
  );
  return total / ((performance.now() - start) / 1000);
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
