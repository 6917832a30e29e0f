import { z } from 'zod';

const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.url().optional())
  .optional();

const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1');

const seatCount = z.coerce.number().int().min(0).max(100000);

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    APP_URL: optionalUrl,
    DATABASE_URL: z.url({ message: 'DATABASE_URL must be a postgres:// URL' }),
    // A login role of its own for the web process; without it the web process uses DATABASE_URL
    // and switches to the unprivileged role on every connection.
    DATABASE_WEB_URL: optionalUrl,
    // Connections the web process keeps to PostgreSQL (a request holds one for its transaction).
    WEB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    SMTP_URL: optionalUrl,
    MAIL_FROM: z.string().default('Seatwise <no-reply@seatwise.local>'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TRUST_PROXY: flag,
    STRIPE_SECRET_KEY: z.string().optional(),
    STRIPE_WEBHOOK_SECRET: z.string().optional(),
    STRIPE_PRICE_STANDARD: z.string().optional(),
    STRIPE_PRICE_CLIENT: z.string().optional(),
    STRIPE_PRICE_API: z.string().optional(),
    // Where the built-in Stripe emulator listens (set by `npm start` and by tests); never in production.
    STRIPE_EMULATOR_URL: optionalUrl,
    // Where the local test identity providers listen (set by `npm start` outside production).
    SSO_TEST_OIDC_URL: optionalUrl,
    SSO_TEST_SAML_URL: optionalUrl,
    // Per source IP and 15-minute window, counted in PostgreSQL so they hold across instances.
    SIGN_IN_RATE_LIMIT: z.coerce.number().int().min(1).default(30),
    PASSWORD_RESET_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
    // New workspaces per source IP and hour.
    SIGNUP_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
    // Requests per API key per minute.
    API_KEY_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
    // Requests per provisioning (SCIM) token per minute; an initial Okta push sends thousands.
    SCIM_RATE_LIMIT: z.coerce.number().int().min(1).default(1200),
    // When the inactivity sweep runs (cron, UTC).
    INACTIVITY_CRON: z.string().trim().min(9).default('0 3 * * *'),
    // How often each worker checks whether a scheduled time has come (worker/schedule.ts).
    SCHEDULE_TICK_SECONDS: z.coerce.number().min(0.1).max(3600).default(30),
    // How often pg-boss requeues the jobs of killed workers (pg-boss default when unset).
    JOB_MAINTENANCE_SECONDS: z.coerce.number().int().min(1).max(3600).optional(),
    // A page load's queries share one transaction (issue #20); `per-call` gives each its own, as
    // before: `npm run bench -- pages` runs both to show what sharing saves.
    PAGE_TRANSACTION: z.enum(['shared', 'per-call']).default('shared'),
    INCLUDED_SEATS_STANDARD: seatCount.default(3),
    INCLUDED_SEATS_CLIENT: seatCount.default(0),
    INCLUDED_SEATS_API: seatCount.default(0),
  })
  .transform((env) => ({
    ...env,
    APP_URL: env.APP_URL ?? `http://localhost:${env.PORT}`,
    stripeEmulated: !env.STRIPE_SECRET_KEY,
    stripe: {
      secretKey: env.STRIPE_SECRET_KEY ?? 'sk_test_seatwise_emulator',
      webhookSecret: env.STRIPE_WEBHOOK_SECRET ?? EMULATOR_WEBHOOK_SECRET,
      prices: {
        standard: env.STRIPE_PRICE_STANDARD ?? 'price_emulated_standard',
        client: env.STRIPE_PRICE_CLIENT ?? 'price_emulated_client',
        api: env.STRIPE_PRICE_API ?? 'price_emulated_api',
      },
    },
  }));

/** The emulator signs its webhooks with this when no real secret is configured. */
export const EMULATOR_WEBHOOK_SECRET = 'whsec_seatwise_emulator';

export type Env = z.output<typeof envSchema>;

/** SPEC §2: production never falls back to the dev mailbox or the Stripe emulator. */
const REQUIRED_IN_PRODUCTION = [
  'APP_URL',
  'SMTP_URL',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_PRICE_STANDARD',
  'STRIPE_PRICE_CLIENT',
  'STRIPE_PRICE_API',
] as const;

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

/** Every problem at once, so that one start-up attempt tells the operator everything to fix. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(source);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => {
        const key = issue.path.join('.') || '(environment)';
        const message = issue.code === 'invalid_type' && source[key] === undefined ? `${key} is required` : issue.message;
        return message.startsWith(key) ? message : `${key}: ${message}`;
      });
  if (source.NODE_ENV === 'production') {
    for (const key of REQUIRED_IN_PRODUCTION) if (!source[key]?.trim()) problems.push(`${key} is required in production`);
  }
  if (problems.length || !result.success) throw new EnvError(problems);
  return result.data;
}

/** For process entry points: print the problems and exit instead of a stack trace. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  try {
    return parseEnv(source);
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
