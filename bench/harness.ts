import { spawn } from 'node:child_process';
import http from 'node:http';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, startEmbeddedPostgres } from '../db/embedded';
import { ensureDatabase } from '../db/migrate';
import { migrateLatest } from '../server/jobs/queues-setup';
import type { FloorProcedure, FloorSetup } from './floor-server';

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
export async function startWeb(databaseUrl: string, env: Record<string, string> = {}, { reactProduction = false } = {}) {
  const port = await freePort();
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/seatwise-prof'] : [];
  // Benches that render pages measure React's production build, as production runs it.
  const react = reactProduction ? ['--import', './bench/react-production.ts'] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', ...react, 'server/index.ts'], {
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

/**
 * The stack floor (floor-server.ts) in its own process, like the real web process, answering
 * `answer`; given `database`, it also runs the raw baseline's statements, bare or as a request.
 * Its client keeps `sockets` connections alive, as many as the app's client in the same bench.
 */
export async function startFloorServer(setup: FloorSetup, { sockets }: { sockets: number }) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/floor-server.ts'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', reject);
    });
  const { port } = (await next()) as { port: number };
  const stored = next();
  child.send(setup as object);
  await stored;
  const client = httpClient(`http://127.0.0.1:${port}`, { sockets });
  return {
    /** A call of one of its procedures, with the input the app's request sends. */
    query: (procedure: FloorProcedure, input: unknown) => {
      const path = queryPath(procedure, input);
      return () => client.get(path);
    },
    stop: () => {
      client.close();
      child.kill('SIGTERM');
    },
  };
}

export type BenchResponse = { status: number; headers: http.IncomingHttpHeaders; body: any };

/**
 * A lean HTTP/1.1 client on kept-alive sockets, the counterpart of node-pg on the raw side.
 * `fetch` would add about a millisecond of its own (WHATWG streams) to every request on this
 * machine; that is the client's cost, not the server's, so the benches do not pay it.
 */
export function httpClient(baseUrl: string, { sockets = 10 } = {}) {
  const { hostname, port } = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const request = (method: string, path: string, { headers = {}, json }: { headers?: Record<string, string>; json?: unknown } = {}) =>
    new Promise<BenchResponse>((resolve, reject) => {
      const body = json === undefined ? undefined : JSON.stringify(json);
      const req = http.request({ method, hostname, port, path, agent, headers: body ? { ...headers, 'content-type': 'application/json' } : headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        // A page answers HTML, kept as text; an API answer is JSON.
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: !text ? undefined : String(res.headers['content-type']).includes('json') ? JSON.parse(text) : text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    get: (path: string, headers?: Record<string, string>) => request('GET', path, { headers }),
    post: (path: string, json: unknown, headers?: Record<string, string>) => request('POST', path, { headers, json }),
    close: () => agent.destroy(),
  };
}

/** A tRPC query path: GET with the input as JSON in the query string. */
export const queryPath = (procedure: string, input: unknown) => `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;

/** The session cookie a sign-up or sign-in answered with. */
export const cookieFrom = (response: BenchResponse) => String(response.headers['set-cookie']![0]).split(';')[0];

/** Both sides of a comparison run warm: JIT-compiled code, pooled connections, cached plans. */
export const WARM_UP = 200;

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/**
 * The median time of each operation, measured in alternating blocks (20 of a, 20 of b, …) after
 * warming up, so that every side sees the same moments of the run (table state, background work)
 * while staying warm within its block: a process left idle between single calls wakes slowly here.
 */
export async function mediansInBlocks<K extends string>(times: number, operations: Record<K, () => Promise<unknown>>, block = 20) {
  const entries = Object.entries(operations) as [K, () => Promise<unknown>][];
  for (const [, fn] of entries) for (let i = 0; i < WARM_UP; i++) await fn();
  const samples = Object.fromEntries(entries.map(([name]) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < Math.ceil(times / block); round++) {
    for (const [name, fn] of entries) {
      for (let i = 0; i < block; i++) {
        const start = performance.now();
        await fn();
        samples[name].push(performance.now() - start);
      }
    }
  }
  return Object.fromEntries(entries.map(([name]) => [name, median(samples[name])])) as Record<K, number>;
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
