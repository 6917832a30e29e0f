import { hashPassword } from '../../server/domain/auth/passwords';
import type { SignupInput } from '../../server/contract/auth';
import { memoryCookies, type TestApp } from './app';

let counter = 0;

export function signupInput(overrides: Partial<SignupInput> = {}): SignupInput {
  counter += 1;
  const slug = `acme-${process.pid}-${counter}`;
  return {
    companyName: 'Acme Inc',
    slug,
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: `ada@${slug}.test`,
    password: 'correct horse battery staple',
    ...overrides,
  };
}

/** A signed-up workspace and its Owner's signed-in caller. */
export async function signUp(app: TestApp, overrides: Partial<SignupInput> = {}) {
  const cookies = memoryCookies();
  const input = signupInput(overrides);
  const caller = await app.caller(cookies);
  const result = await caller.auth.signup(input);
  return { ...result, input, cookies, owner: await app.caller(cookies) };
}

/** The Owner signed in afresh: a test that moves the clock past the session's 7 days needs it. */
export async function signInAgain(app: TestApp, ws: { input: SignupInput }) {
  const cookies = memoryCookies();
  await (await app.caller(cookies)).auth.login({ workspace: ws.input.slug, email: ws.input.email, password: ws.input.password });
  return app.caller(cookies);
}

/** A user written straight to the database, for states the admin screens of later issues create. */
export async function insertUser(
  app: TestApp,
  tenantId: string,
  {
    email,
    password = 'another good password',
    kind = 'standard',
    status = 'active',
    roleKey,
    mustChangePassword = false,
  }: {
    email: string;
    password?: string | null;
    kind?: 'standard' | 'client' | 'api';
    status?: 'invited' | 'active' | 'suspended' | 'locked' | 'deactivated' | 'banned';
    roleKey?: string;
    mustChangePassword?: boolean;
  },
) {
  const db = app.database.owner;
  const key = roleKey ?? { standard: 'member', client: 'client', api: 'integration' }[kind];
  const role = (await db('roles').where({ tenantId, key }).first('id'))!;
  const [user] = await db('users')
    .insert({
      tenantId,
      kind,
      email,
      firstName: 'Test',
      lastName: 'User',
      displayName: 'Test User',
      roleId: role.id,
      status,
      statusReason: status === 'banned' ? 'Policy violation' : null,
      passwordHash: kind === 'api' || password === null ? null : await hashPassword(password),
      mustChangePassword,
    })
    .returning('*');
  return user as { id: string; email: string };
}
