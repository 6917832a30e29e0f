import { hash, verify } from '@node-rs/argon2';

/** OWASP's argon2id baseline (SPEC "Sign-in"): m=19 MiB, t=2, p=1. Algorithm 2 is Argon2id. */
export const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, ARGON2_OPTIONS);

export const verifyPassword = (phc: string, password: string) => verify(phc, password).catch(() => false);

const CURRENT_PARAMS = `$argon2id$v=19$m=${ARGON2_OPTIONS.memoryCost},t=${ARGON2_OPTIONS.timeCost},p=${ARGON2_OPTIONS.parallelism}$`;

/** True when the stored hash was made with other parameters and should be redone at sign-in. */
export const needsRehash = (phc: string) => !phc.startsWith(CURRENT_PARAMS);

let dummy: Promise<string> | undefined;

/**
 * When there is no user to check against, verify against this instead, so that an unknown
 * workspace or email costs the same time as a wrong password (no enumeration by timing).
 */
export async function verifyDummyPassword(password: string) {
  dummy ??= hashPassword('seatwise-timing-equaliser');
  await verifyPassword(await dummy, password);
  return false;
}
