import { createHash, randomBytes } from 'node:crypto';

/**
 * `swk_` + 43 base62 characters (256 random bits) + a 6-character checksum. The checksum lets
 * secret scanners and our own server reject a mistyped key without touching the database.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 43;
const CHECK_LENGTH = 6;
export const KEY_PATTERN = new RegExp(`^swk_[0-9A-Za-z]{${BODY_LENGTH + CHECK_LENGTH}}$`);

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

export function generateApiKey() {
  const body = base62(randomBytes(32), BODY_LENGTH);
  const key = `swk_${body}${checksum(body)}`;
  return { key, prefix: key.slice(0, 12), hash: hashApiKey(key) };
}

export function isWellFormedApiKey(key: string) {
  if (!KEY_PATTERN.test(key)) return false;
  const body = key.slice(4, 4 + BODY_LENGTH);
  return checksum(body) === key.slice(4 + BODY_LENGTH);
}

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');
