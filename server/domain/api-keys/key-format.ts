import { createHash, randomBytes } from 'node:crypto';

/**
 * The secrets we hand out — API keys (`swk_`) and provisioning tokens (`sws_`): the prefix + 43
 * base62 characters (256 random bits) + a 6-character checksum. The checksum lets secret scanners
 * and our own server reject a mistyped secret without touching the database. Stored as SHA-256.
 */
export type SecretPrefix = 'swk' | 'sws';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 43;
const CHECK_LENGTH = 6;
const PATTERN = new RegExp(`^sw[ks]_[0-9A-Za-z]{${BODY_LENGTH + CHECK_LENGTH}}$`);

function base62(bytes: Buffer, length: number) {
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (out.length < length) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

const checksum = (body: string) => base62(createHash('sha256').update(body).digest().subarray(0, 6), CHECK_LENGTH);

export function generateSecret(prefix: SecretPrefix) {
  const body = base62(randomBytes(32), BODY_LENGTH);
  const secret = `${prefix}_${body}${checksum(body)}`;
  return { secret, prefix: secret.slice(0, 12), hash: hashSecret(secret) };
}

export function isWellFormedSecret(prefix: SecretPrefix, secret: string) {
  if (!PATTERN.test(secret) || !secret.startsWith(`${prefix}_`)) return false;
  const body = secret.slice(4, 4 + BODY_LENGTH);
  return checksum(body) === secret.slice(4 + BODY_LENGTH);
}

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function generateApiKey() {
  const { secret, prefix, hash } = generateSecret('swk');
  return { key: secret, prefix, hash };
}
export const isWellFormedApiKey = (key: string) => isWellFormedSecret('swk', key);
export const hashApiKey = hashSecret;
