import type { SignupInput } from '../../server/routers/auth/signup.types';
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
