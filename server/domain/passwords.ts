import { hash, verify } from '@node-rs/argon2';

/** OWASP's argon2id baseline (SPEC "Sign-in"): m=19 MiB, t=2, p=1. Algorithm 2 is Argon2id. */
export const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, ARGON2_OPTIONS);

export const verifyPassword = (phc: string, password: string) => verify(phc, password).catch(() => false);
