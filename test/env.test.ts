import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from '../server/shared/env';

function problems(source: Record<string, string>) {
  try {
    parseEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return (error as EnvError).problems;
  }
  throw new Error('expected the environment to be refused');
}

describe('server/env.ts', () => {
  it('accepts the minimal development environment with embedded defaults', () => {
    const env = parseEnv({ DATABASE_URL: 'postgres://u:p@localhost:5432/db' });
    expect(env).toMatchObject({ NODE_ENV: 'development', PORT: 3000, APP_URL: 'http://localhost:3000', stripeEmulated: true });
    expect(env.INCLUDED_SEATS_STANDARD).toBe(3);
    expect(env.SCHEDULE_TICK_SECONDS).toBe(30);
  });

  it('takes a schedule tick in seconds and refuses none at all', () => {
    expect(parseEnv({ DATABASE_URL: 'postgres://u:p@localhost:5432/db', SCHEDULE_TICK_SECONDS: '1' }).SCHEDULE_TICK_SECONDS).toBe(1);
    expect(problems({ DATABASE_URL: 'postgres://u:p@localhost:5432/db', SCHEDULE_TICK_SECONDS: '0' })).toEqual([expect.stringMatching(/^SCHEDULE_TICK_SECONDS/)]);
  });

  it('lists every problem at once', () => {
    expect(problems({ PORT: 'eighty', NODE_ENV: 'staging', SMTP_URL: 'not a url', INCLUDED_SEATS_STANDARD: '-1' })).toEqual([
      expect.stringMatching(/^NODE_ENV/),
      expect.stringMatching(/^PORT/),
      'DATABASE_URL is required',
      expect.stringMatching(/^SMTP_URL/),
      expect.stringMatching(/^INCLUDED_SEATS_STANDARD/),
    ]);
  });

  it('in production requires real SMTP and Stripe settings instead of the embedded defaults', () => {
    expect(problems({ NODE_ENV: 'production', DATABASE_URL: 'postgres://u:p@db/x' }).sort()).toEqual(
      [
        'APP_URL is required in production',
        'SMTP_URL is required in production',
        'STRIPE_PRICE_API is required in production',
        'STRIPE_PRICE_CLIENT is required in production',
        'STRIPE_PRICE_STANDARD is required in production',
        'STRIPE_SECRET_KEY is required in production',
        'STRIPE_WEBHOOK_SECRET is required in production',
      ].sort(),
    );
  });

  it.each(['server/index.ts', 'worker/index.ts'])('%s refuses to start with a bad environment and says why', (entry) => {
    const { DATABASE_URL: _ignored, ...rest } = process.env;
    const result = spawnSync(process.execPath, ['--import', 'tsx', entry], {
      env: { ...rest, PORT: 'eighty', NODE_ENV: 'production' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid environment');
    expect(result.stderr).toContain('DATABASE_URL is required');
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('STRIPE_SECRET_KEY is required in production');
  });
});
