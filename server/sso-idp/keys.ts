import { generate } from 'selfsigned';

export type SigningKey = { privateKey: string; cert: string; certBase64: string };

/**
 * A fresh key pair and self-signed certificate at every start: the local test IdPs are for
 * trying and testing Seatwise, so nothing they sign outlives the process (no key fixture to leak).
 */
export async function generateSigningKey(commonName = 'Seatwise local test IdP'): Promise<SigningKey> {
  const pems = await generate([{ name: 'commonName', value: commonName }], { keySize: 2048, algorithm: 'sha256' });
  return { privateKey: pems.private, cert: pems.cert, certBase64: pems.cert.replace(/-----[^-]+-----|\s+/g, '') };
}
