// Checks the simulator's signing (uhi.mjs) against the published vectors, then against the
// C++ library through its command-line tool, both ways: what one signs the other verifies,
// and neither accepts a changed body, a stretched window or the other profile.
//
//   UHI_SIGN_BIN=build/bin/uhi-sign node tools/uhi_sim/check.mjs
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToSign, digestB64, generateKeys, parseHeader, signHeader, signingString, verifyHeader } from './uhi.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const V = JSON.parse(readFileSync(path.join(root, 'libs/uhi/tests/vectors.json'), 'utf8'));
const BIN = process.env.UHI_SIGN_BIN || path.join(root, 'build/bin/uhi-sign');
let passed = 0;
let failed = 0;
const check = (name, ok, detail = '') => {
  if (ok) passed++;
  else {
    failed++;
    console.log(`FAIL ${name} ${detail}`);
  }
};

// 1. The published and derived vectors.
for (const v of V.published.filter((x) => x.body_utf8 !== undefined)) {
  const h = parseHeader(v.authorization_header);
  const pub = v.public_key_spki_der_b64 ?? v.public_key_raw_b64;
  check(`${v.name} verifies`, verifyHeader({ header: v.authorization_header, pub, body: v.body_utf8, now: Number(h.created) }) === null);
  check(`${v.name} changed body fails`, verifyHeader({ header: v.authorization_header, pub, body: v.body_utf8 + ' ', now: Number(h.created) }) !== null);
}
const k = V.derived_key;
for (const c of V.derived) {
  const body = Buffer.from(c.body_b64, 'base64');
  check(`${c.name} digest`, digestB64(body) === c.digest_b64);
  check(`${c.name} uhi string`, signingString('uhi', c.created, c.expires, c.digest_b64) === c.uhi.signing_string);
  check(`${c.name} uhi signed bytes`, bytesToSign('uhi', c.uhi.signing_string).toString() === c.uhi.signed_bytes_utf8);
  for (const key of [k.private_pkcs8_der_b64, k.private_seed_raw_b64, k.private_libsodium64_b64]) {
    const uhi = signHeader({ profile: 'uhi', key, subscriber: 'hspa.example.in', keyId: 'k1', body, created: c.created, expires: c.expires });
    check(`${c.name} uhi header`, uhi === c.uhi.authorization_header_json, uhi);
    const beckn = signHeader({ profile: 'beckn', key, subscriber: 'hspa.example.in', keyId: 'k1', body, created: c.created, expires: c.expires });
    check(`${c.name} beckn header`, beckn === c.beckn.authorization_header, beckn);
  }
}

// 2. Against the C++ library, both ways.
const cpp = (args, input) => {
  try {
    return { ok: true, out: execFileSync(BIN, args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString().trim() };
  } catch (e) {
    return { ok: false, out: `${e.stderr}`.trim() };
  }
};
const bodies = [
  Buffer.from(''),
  Buffer.from('{}'),
  Buffer.from(JSON.stringify({ context: { action: 'search', city: 'std:080' }, message: { intent: { fulfillment: { agent: { name: 'डॉ. मीरा' } } } } })),
  Buffer.from(JSON.stringify({ a: 1 }, null, 2) + '\n'),
  randomBytes(4096),
];
const cppKeys = JSON.parse(cpp(['keygen']).out);
const nodeKeys = generateKeys();
const now = Math.floor(Date.now() / 1000);
for (const profile of ['uhi', 'beckn']) {
  for (const [i, body] of bodies.entries()) {
    const name = `${profile} body ${i}`;
    // C++ signs (its own key), Node verifies with the SPKI and the raw key.
    const signed = cpp(['sign', '--profile', profile, '--key', cppKeys.private_pkcs8, '--subscriber', 'hspa.example.in', '--key-id', 'k1', '--created', String(now)], body);
    check(`${name}: C++ signs`, signed.ok, signed.out);
    check(`${name}: Node verifies C++ (SPKI)`, verifyHeader({ header: signed.out, pub: cppKeys.public_spki, body, now }) === null);
    check(`${name}: Node verifies C++ (raw)`, verifyHeader({ header: signed.out, pub: cppKeys.public_raw, body, now }) === null);
    check(`${name}: Node refuses C++ over another body`, verifyHeader({ header: signed.out, pub: cppKeys.public_spki, body: Buffer.concat([body, Buffer.from('x')]), now }) !== null);
    check(`${name}: Node refuses C++ when expired`, verifyHeader({ header: signed.out, pub: cppKeys.public_spki, body, now: now + 11 }) === 'expired');
    // Node signs, C++ verifies.
    const header = signHeader({ profile, key: nodeKeys.private_pkcs8, subscriber: 'eua.example.in', keyId: 'k9', body, created: now });
    const ok = cpp(['verify', '--key', nodeKeys.public_spki, '--header', header, '--now', String(now)], body);
    check(`${name}: C++ verifies Node`, ok.ok && ok.out === 'ok', ok.out);
    const tampered = cpp(['verify', '--key', nodeKeys.public_spki, '--header', header, '--now', String(now)], Buffer.concat([body, Buffer.from(' ')]));
    check(`${name}: C++ refuses Node over another body`, !tampered.ok && /does not verify/.test(tampered.out), tampered.out);
    const late = cpp(['verify', '--key', nodeKeys.public_raw, '--header', header, '--now', String(now + 11)], body);
    check(`${name}: C++ refuses Node when expired`, !late.ok && /expired/.test(late.out), late.out);
    // The header of one profile carrying the other's signature: only with --any-profile.
    const other = profile === 'uhi' ? 'beckn' : 'uhi';
    const h = parseHeader(signHeader({ profile: other, key: nodeKeys.private_pkcs8, subscriber: 'eua.example.in', keyId: 'k9', body, created: now }));
    const crossed = profile === 'uhi' ? JSON.stringify(Object.fromEntries(Object.entries(h).filter(([key]) => key !== 'form'))) : 'Signature ' + ['keyId', 'algorithm', 'created', 'expires', 'headers', 'signature'].map((key) => `${key}="${h[key]}"`).join(',');
    check(`${name}: C++ refuses the other profile's signature`, !cpp(['verify', '--key', nodeKeys.public_spki, '--header', crossed, '--now', String(now)], body).ok);
    check(`${name}: C++ takes it with --any-profile`, cpp(['verify', '--key', nodeKeys.public_spki, '--header', crossed, '--now', String(now), '--any-profile'], body).ok);
  }
}
const digest = cpp(['digest'], bodies[2]);
check('Digest header agrees', digest.out === `BLAKE-512=${digestB64(bodies[2])}`, digest.out);

console.log(`uhi signing interop: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
