// UHI and Beckn request signing with Node's built-in crypto only: the simulator's half of
// the protocol, written independently of the C++ library (libs/uhi) so each checks the
// other (check.mjs). Profiles as in ../../../shared/uhi/WIRE.md §2: "uhi" signs
// base64(BLAKE2b-512(space-joined signing string)) and sends a JSON header; "beckn"
// (BECKN-006) signs the newline-joined string and sends `Signature k="v",…`.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export const blake512 = (bytes) => createHash('blake2b512').update(bytes).digest();
export const digestB64 = (body) => blake512(Buffer.from(body)).toString('base64');

/** A private key from base64 of a 32-byte seed, a 64-byte libsodium key or PKCS#8 DER. */
export function privateKey(b64) {
  const raw = Buffer.from(b64, 'base64');
  const der = raw.length === 32 || raw.length === 64 ? Buffer.concat([PKCS8_PREFIX, raw.subarray(0, 32)]) : raw;
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}
/** A public key from base64 of raw 32 bytes or SPKI DER. */
export function publicKey(b64) {
  const raw = Buffer.from(b64, 'base64');
  return createPublicKey({ key: raw.length === 32 ? Buffer.concat([SPKI_PREFIX, raw]) : raw, format: 'der', type: 'spki' });
}
export function generateKeys() {
  const { privateKey: sk, publicKey: pk } = generateKeyPairSync('ed25519');
  const spki = pk.export({ format: 'der', type: 'spki' });
  return {
    private_pkcs8: sk.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    public_spki: spki.toString('base64'),
    public_raw: spki.subarray(SPKI_PREFIX.length).toString('base64'),
  };
}

export function signingString(profile, created, expires, digest) {
  const sep = profile === 'uhi' ? ' ' : '\n';
  return `(created): ${created}${sep}(expires): ${expires}${sep}digest: BLAKE-512=${digest}`;
}
export function bytesToSign(profile, ss) {
  return profile === 'uhi' ? Buffer.from(blake512(Buffer.from(ss, 'utf8')).toString('base64'), 'ascii') : Buffer.from(ss, 'utf8');
}

/** The Authorization header value for `body` (a Buffer or string). */
export function signHeader({ profile = 'uhi', key, subscriber, keyId, body, created = Math.floor(Date.now() / 1000), expires = created + 10 }) {
  const signature = sign(null, bytesToSign(profile, signingString(profile, created, expires, digestB64(body))), privateKey(key)).toString('base64');
  const fields = { keyId: `${subscriber}|${keyId}|ed25519`, algorithm: 'ed25519', created: String(created), expires: String(expires), headers: '(created) (expires) digest', signature };
  if (profile === 'uhi') return JSON.stringify(fields);
  return 'Signature ' + Object.entries(fields).map(([k, v]) => `${k}="${v}"`).join(',');
}

export function parseHeader(value) {
  const t = String(value ?? '').trim();
  if (t.startsWith('{')) return { form: 'uhi', ...JSON.parse(t) };
  if (!t.startsWith('Signature ')) throw new Error('neither JSON nor Signature');
  const out = { form: 'beckn' };
  for (const m of t.slice(10).matchAll(/([A-Za-z]+)=(?:"([^"]*)"|([^,\s]*))/g)) out[m[1]] = m[2] ?? m[3];
  return out;
}

/** null when `header` verifies over `body` with public key `pub` at `now`, else the reason. */
export function verifyHeader({ header, pub, body, now = Math.floor(Date.now() / 1000), skew = 5 }) {
  let h;
  try {
    h = parseHeader(header);
  } catch (e) {
    return `unreadable header: ${e.message}`;
  }
  const [subscriber, keyId, alg] = String(h.keyId ?? '').split('|');
  if (!subscriber || !keyId || alg !== 'ed25519' || h.algorithm !== 'ed25519') return 'keyId or algorithm is not ed25519';
  if (h.headers !== '(created) (expires) digest') return 'headers is not (created) (expires) digest';
  const created = Number(h.created), expires = Number(h.expires);
  if (!Number.isInteger(created) || !Number.isInteger(expires) || expires < created) return 'created/expires are not Unix seconds';
  if (created > now + skew) return 'created is in the future';
  if (now > expires) return 'expired';
  const ok = verify(null, bytesToSign(h.form, signingString(h.form, created, expires, digestB64(body))), publicKey(pub), Buffer.from(h.signature ?? '', 'base64'));
  return ok ? null : 'signature does not verify';
}
