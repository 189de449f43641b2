// A local UHI network for development and tests, on loopback, with Node's standard library
// only: a registry, a gateway and a patient app (EUA), each signing and verifying as NHA's
// reference apps do (uhi.mjs; ../../../shared/uhi/WIRE.md).
//
//   node tools/uhi_sim/sim.mjs --registry-port 8091 --gateway-port 8092 --eua-port 8093
//
// Registry  POST /api/v1/networkregistry/lookup   signed by a registered subscriber; an array
//                                                  of SubscriberDto (404 when none matches)
//           POST /dev/subscribers                  {subscriber_id, pub_key_id, type (EUA|HSPA|
//                                                  GATEWAY), signing_public_key, url}
//                                                  (+ "legacy": true: the registry then answers with
//                                                  null fields, as NHA's Java registry does)
//           GET  /dev/subscribers                  everyone registered
//           POST /dev/down {"down": true|false}    lookups answer 503 meanwhile
// Gateway   POST /search      from an EUA (Authorization): fanned out to every HSPA, re-serialised
//                             with provider_id/uri set, signed with X-Gateway-Authorization
//           POST /on_search   from an HSPA: checked, forwarded to the EUA, signed by the gateway
//           POST /on_<x>_audit audit copies (recorded)
//           GET  /dev/received what the gateway received
//           POST /dev/header {"name": "Proxy-Authorization"}  the header it signs forwards in
// EUA       POST /eua/<name>/on_<action>   callbacks for the app <name> (its subscriber_url is
//                             http://127.0.0.1:<eua-port>/eua/<name>); signatures verified,
//                             recorded, answered ACK (or 503 while told to be down)
//           GET  /dev/received?eua=<name>&transaction_id=…&action=…   what it received
//           POST /dev/down {"down": true|false}                  answer 503 to every callback
//           POST /dev/search {city, specialty, name, type, start, end}: the built-in app "sim"
//                             searches through the gateway; returns the ids to look for
//           POST /dev/send {url, action, body}: "sim" signs and sends a message to an HSPA
//           POST /dev/journey {specialty, name, city, type, abha, cancel, from_hours}: "sim" runs a whole
//                             journey as NHA's reference app does — search through the gateway,
//                             the first doctor's slots, init, confirm, status and (unless
//                             cancel is false) cancel — and returns each step's callback
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { generateKeys, parseHeader, signHeader, verifyHeader } from './uhi.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : process.env[name.toUpperCase().replace(/-/g, '_')] ?? fallback;
};
const REGISTRY_PORT = Number(arg('registry-port', 8091));
const GATEWAY_PORT = Number(arg('gateway-port', 8092));
const EUA_PORT = Number(arg('eua-port', 8093));
const HOST = '127.0.0.1';
const DOMAIN = 'nic2004:85111';
const log = (event, fields = {}) => console.log(JSON.stringify({ ts: new Date().toISOString(), event, ...fields }));

// ------------------------------------------------------------------ registry
const subscribers = new Map(); // `${subscriber_id}|${pub_key_id}` → entry
const register = (s) => {
  const entry = {
    subscriber_id: s.subscriber_id,
    pub_key_id: s.pub_key_id,
    type: s.type,
    signing_public_key: s.signing_public_key,
    encr_public_key: s.signing_public_key,
    subscriber_url: s.url,
    domain: s.domain ?? DOMAIN,
    country: 'IND',
    city: s.city ?? '*',
    status: s.status ?? 'SUBSCRIBED',
    participant_id: s.subscriber_id,
  };
  if (s.legacy) Object.assign(entry, { signing_public_key: null, status: null, valid_until: null, city: null });
  subscribers.set(`${s.subscriber_id}|${s.pub_key_id}`, entry);
  return entry;
};
const find = (subscriber_id, pub_key_id, type) =>
  [...subscribers.values()].filter((s) => s.subscriber_id === subscriber_id && (!pub_key_id || s.pub_key_id === pub_key_id) && (!type || s.type === type));

// The gateway's and the built-in app's identities.
const gatewayKeys = generateKeys();
const GATEWAY = { subscriber_id: 'gateway.uhi.local', pub_key_id: 'gw-1', type: 'GATEWAY', url: `http://${HOST}:${GATEWAY_PORT}`, signing_public_key: gatewayKeys.public_spki };
register(GATEWAY);
const euaKeys = generateKeys();
const EUA = { subscriber_id: 'eua.uhi.local', pub_key_id: 'eua-1', type: 'EUA', url: `http://${HOST}:${EUA_PORT}/eua/sim`, signing_public_key: euaKeys.public_spki };
register(EUA);

/** Verifies `header` over `body` with the registry's key for its signer; the signer, or an error. */
function verifySigned(header, body, type) {
  if (!header) return { error: 'not signed' };
  let parsed;
  try {
    parsed = parseHeader(header);
  } catch (e) {
    return { error: `unreadable header: ${e.message}` };
  }
  const [subscriber_id, pub_key_id] = String(parsed.keyId ?? '').split('|');
  const [signer] = find(subscriber_id, pub_key_id, type);
  if (!signer) return { error: `${subscriber_id}|${pub_key_id} is not registered${type ? ` as ${type}` : ''}` };
  const error = verifyHeader({ header, pub: signer.signing_public_key ?? signer.encr_public_key, body });
  return error ? { error } : { signer };
}

// ------------------------------------------------------------------ HTTP plumbing
const readBody = (req) => new Promise((resolve, reject) => {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > 4 << 20) reject(new Error('too large'));
    else chunks.push(c);
  });
  req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  req.on('error', reject);
});
const send = (res, status, body) => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
};
const ACK = { message: { ack: { status: 'ACK' } }, error: {} };
const nack = (code, message, type = '') => ({ message: { ack: { status: 'NACK' } }, error: { type, code, path: '', message } });

/** POSTs `body` (a string, sent byte for byte) signed as `who` in `headerName`. */
async function post(url, body, who, keys, headerName = 'Authorization') {
  const header = signHeader({ key: keys.private_pkcs8, subscriber: who.subscriber_id, keyId: who.pub_key_id, body });
  try {
    const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', [headerName]: header }, body, signal: AbortSignal.timeout(5000) });
    return { status: r.status, body: await r.text() };
  } catch (e) {
    return { status: 0, body: String(e.message ?? e) };
  }
}

function serve(port, name, handler) {
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, `http://${HOST}`);
      const body = req.method === 'POST' ? await readBody(req) : '';
      if (url.pathname === '/health') return send(res, 200, { status: 'ok' });
      await handler(req, res, url, body);
    } catch (e) {
      log('error', { server: name, error: String(e.stack ?? e) });
      if (!res.headersSent) send(res, 500, nack('UHI-1407', String(e.message ?? e)));
    }
  });
  server.listen(port, HOST, () => log('listening', { server: name, port }));
  return server;
}

// ------------------------------------------------------------------ registry server
let registryDown = false;
serve(REGISTRY_PORT, 'registry', async (req, res, url, body) => {
  if (url.pathname === '/dev/down' && req.method === 'POST') {
    registryDown = Boolean(JSON.parse(body || '{}').down);
    return send(res, 200, { down: registryDown });
  }
  if (url.pathname === '/dev/subscribers' && req.method === 'GET') return send(res, 200, [...subscribers.values()]);
  if (url.pathname === '/dev/subscribers' && req.method === 'POST') {
    const s = JSON.parse(body);
    const missing = ['subscriber_id', 'pub_key_id', 'type', 'signing_public_key', 'url'].filter((k) => typeof s[k] !== 'string' || !s[k]);
    if (missing.length || !['EUA', 'HSPA', 'GATEWAY'].includes(s.type)) return send(res, 400, { error: `needs ${missing.join(', ') || 'type EUA, HSPA or GATEWAY'}` });
    const entry = register(s);
    log('registered', { subscriber_id: s.subscriber_id, pub_key_id: s.pub_key_id, type: s.type, url: s.url });
    return send(res, 201, entry);
  }
  if (url.pathname === '/api/v1/networkregistry/lookup' && req.method === 'POST') {
    if (registryDown) return send(res, 503, nack('UHI-1407', 'down for a while'));
    const who = verifySigned(req.headers.authorization, body);
    if (who.error) return send(res, 401, nack('UHI-1405', who.error));
    const q = JSON.parse(body);
    const matches = find(q.subscriber_id, q.pub_key_id, q.type);
    return send(res, matches.length ? 200 : 404, matches);
  }
  send(res, 404, nack('UHI-1404', 'no such endpoint'));
});

// ------------------------------------------------------------------ gateway server
const gatewayReceived = [];
let gatewayHeader = 'X-Gateway-Authorization';
serve(GATEWAY_PORT, 'gateway', async (req, res, url, body) => {
  if (url.pathname === '/dev/header' && req.method === 'POST') {
    gatewayHeader = JSON.parse(body || '{}').name || 'X-Gateway-Authorization';
    return send(res, 200, { name: gatewayHeader });
  }
  if (url.pathname === '/dev/received') return send(res, 200, gatewayReceived.filter((m) => !url.searchParams.get('transaction_id') || m.transaction_id === url.searchParams.get('transaction_id')));
  if (req.method !== 'POST') return send(res, 404, nack('UHI-1404', 'no such endpoint'));
  const action = url.pathname.slice(1);
  const fromEua = action === 'search';
  const who = verifySigned(req.headers.authorization, body, fromEua ? 'EUA' : 'HSPA');
  let msg;
  try {
    msg = JSON.parse(body);
  } catch {
    return send(res, 400, nack('UHI-1411', 'invalid JSON'));
  }
  gatewayReceived.push({ action, transaction_id: msg?.context?.transaction_id, message_id: msg?.context?.message_id, from: who.signer?.subscriber_id, verified: !who.error, error: who.error, body: msg });
  if (who.error) return send(res, 401, nack('UHI-1405', who.error));
  if (action === 'search') {
    if (msg.context?.consumer_uri !== who.signer.subscriber_url) return send(res, 400, nack('UHI-1412', 'consumer_uri is not the registered subscriber_url'));
    send(res, 200, ACK);
    // Fan out to every HSPA, the body re-serialised with the provider set (as NHA's does).
    for (const hspa of [...subscribers.values()].filter((s) => s.type === 'HSPA' && s.status === 'SUBSCRIBED')) {
      const forwarded = JSON.stringify({ ...msg, context: { ...msg.context, provider_id: hspa.subscriber_id, provider_uri: hspa.subscriber_url } });
      const r = await post(`${hspa.subscriber_url}/search`, forwarded, GATEWAY, gatewayKeys, gatewayHeader);
      log('search_forwarded', { to: hspa.subscriber_id, status: r.status, transaction_id: msg.context.transaction_id, answer: r.body.slice(0, 300) });
    }
    return;
  }
  if (action === 'on_search') {
    if (msg.context?.provider_uri !== who.signer.subscriber_url) return send(res, 400, nack('UHI-1412', 'provider_uri is not the registered subscriber_url'));
    const [eua] = find(msg.context?.consumer_id, '', 'EUA');
    if (!eua) return send(res, 400, nack('UHI-1406', 'the consumer is not registered'));
    send(res, 200, ACK);
    const r = await post(`${eua.subscriber_url}/on_search`, body, GATEWAY, gatewayKeys, 'X-Gateway-Authorization');
    log('on_search_forwarded', { to: eua.subscriber_id, status: r.status, transaction_id: msg.context.transaction_id });
    return;
  }
  if (/^on_[a-z]+_audit$/.test(action)) return send(res, 200, ACK);
  send(res, 404, nack('UHI-1404', 'no such endpoint'));
});

// ------------------------------------------------------------------ a whole journey
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The callback the built-in app received for `message_id`, waiting up to 20 s. */
async function callbackFor(message_id) {
  for (let i = 0; i < 200; i++) {
    const m = euaReceived.find((x) => x.eua === 'sim' && x.message_id === message_id);
    if (m) return m;
    await sleep(100);
  }
  throw new Error(`no callback for message ${message_id}`);
}
const istNow = (plusHours = 0) => new Date(Date.now() + (5.5 + plusHours) * 3600e3).toISOString().slice(0, 19);

async function journey(q) {
  const transaction_id = randomUUID();
  const steps = [];
  const context = (action, provider) => ({
    domain: DOMAIN, country: 'IND', city: q.city ?? 'std:080', action, core_version: '0.7.1',
    consumer_id: EUA.subscriber_id, consumer_uri: EUA.url, ...(provider ?? {}),
    message_id: randomUUID(), transaction_id, timestamp: new Date().toISOString(),
  });
  const step = async (url, action, message, provider) => {
    const ctx = context(action, provider);
    const r = await post(`${url}/${action}`, JSON.stringify({ context: ctx, message }), EUA, euaKeys);
    const ack = JSON.parse(r.body || 'null');
    if (r.status !== 200 || ack?.message?.ack?.status !== 'ACK') throw new Error(`${action}: HTTP ${r.status} ${r.body}`);
    const cb = await callbackFor(ctx.message_id);
    if (!cb.verified) throw new Error(`on_${action}: ${cb.error}`);
    steps.push({ action, callback: cb.action, body: cb.body });
    if (cb.body?.error?.code) throw new Error(`on_${action}: ${JSON.stringify(cb.body.error)}`);
    return cb.body;
  };
  const type = q.type ?? 'Physical';
  const intent = { fulfillment: { type, start: { time: { timestamp: istNow(1) } }, end: { time: { timestamp: istNow(24 * 7) } } }, item: { descriptor: { name: 'Consultation' } } };
  if (q.name) intent.fulfillment.agent = { name: q.name };
  if (q.specialty) intent.category = { descriptor: { name: q.specialty } };
  const found = await step(GATEWAY.url, 'search', { intent });
  const hspa = { provider_id: found.context.provider_id, provider_uri: found.context.provider_uri };
  const doctor = found.message.catalog.providers[0].fulfillments[0].agent;
  // Slots from `from_hours` ahead (a day by default): a journey that ends in the patient's
  // own cancellation must not pick a slot inside the practitioner's cancellation cut-off,
  // which an hour-ahead slot is at some times of day.
  const fromHours = Number(q.from_hours ?? 24);
  const slotsAnswer = await step(hspa.provider_uri, 'search', { intent: { provider: { fulfillments: [{ type, agent: { id: doctor.id }, start: { time: { timestamp: istNow(fromHours) } }, end: { time: { timestamp: istNow(fromHours + 24 * 7) } } }] } } }, hspa);
  const place = slotsAnswer.message.catalog.providers[0];
  const slot = place.fulfillments[0];
  const tags = slot.agent.tags ?? {};
  const order = {
    provider: { id: place.id, descriptor: { name: place.descriptor.name } },
    item: { id: place.items[0].id, descriptor: { name: 'Consultation' }, price: place.items[0].price, fulfillment_id: slot.id },
    fulfillment: { id: slot.id, type: slot.type, start: slot.start, end: slot.end, tags: { '@abdm/gov.in/slot_id': slot.id },
      agent: { id: slot.agent.id, name: slot.agent.name, gender: slot.agent.gender ?? 'F', tags: { '@abdm/gov.in/education': tags['@abdm/gov.in/education'] ?? 'MBBS', '@abdm/gov.in/experience': tags['@abdm/gov.in/experience'] ?? '0', '@abdm/gov.in/languages': tags['@abdm/gov.in/languages'] ?? 'English', '@abdm/gov.in/hpr_id': tags['@abdm/gov.in/hpr_id'] ?? '' } } },
    billing: { name: q.patient_name ?? 'Ravi Kumar', phone: q.phone ?? '+919812345678', email: 'ravi.k@example.in', address: { door: '21', name: 'Lake View', locality: 'Indiranagar', city: 'Bengaluru', state: 'Karnataka', country: 'IND' } },
    customer: { id: q.abha ?? `ravi.${randomUUID().slice(0, 8)}@sbx`, person: { gender: 'M', dob: '1988-04-12', dayOfBirth: 12, monthOfBirth: 4, yearOfBirth: 1988 } },
    payment: { params: { redirect_url: `${EUA.url}/paid` } },
  };
  const onInit = await step(hspa.provider_uri, 'init', { order }, hspa);
  const held = onInit.message.order;
  const { id, item, fulfillment, billing, quote, payment, customer } = held;
  const confirmOrder = { id, item, fulfillment: { ...fulfillment, tags: { '@abdm/gov.in/slot_id': slot.id } }, billing, quote, payment, customer, provider: { id: held.provider.id } };
  const onConfirm = await step(hspa.provider_uri, 'confirm', { order: confirmOrder }, hspa);
  await step(hspa.provider_uri, 'status', { order: { id } }, hspa);
  if (q.cancel !== false) {
    await step(hspa.provider_uri, 'cancel', { order: { id, state: 'CANCELLED', fulfillment: { tags: { '@abdm/gov.in/cancelledby': 'patient', '@abdm/gov.in/cancelReason': 'PATIENT_OTHER', '@abdm/gov.in/groupConsultation': 'false' } } } }, hspa);
  }
  return { transaction_id, order_id: id, doctor: doctor.name, start: slot.start.time.timestamp, state: onConfirm.message.order.state, steps };
}

// ------------------------------------------------------------------ EUA server
const euaReceived = [];
let down = false;
serve(EUA_PORT, 'eua', async (req, res, url, body) => {
  if (url.pathname === '/dev/received') {
    const p = url.searchParams;
    return send(res, 200, euaReceived.filter((m) => (!p.get('eua') || m.eua === p.get('eua')) && (!p.get('transaction_id') || m.transaction_id === p.get('transaction_id')) && (!p.get('action') || m.action === p.get('action'))));
  }
  if (url.pathname === '/dev/down' && req.method === 'POST') {
    down = Boolean(JSON.parse(body || '{}').down);
    return send(res, 200, { down });
  }
  if (url.pathname === '/dev/search' && req.method === 'POST') {
    const q = JSON.parse(body || '{}');
    const transaction_id = randomUUID();
    const message_id = randomUUID();
    const fulfillment = { type: q.type ?? 'Physical', start: { time: { timestamp: q.start ?? new Date(Date.now() + 5.5 * 3600e3).toISOString().slice(0, 19) } }, end: { time: { timestamp: q.end ?? new Date(Date.now() + (5.5 + 7 * 24) * 3600e3).toISOString().slice(0, 19) } } };
    if (q.name) fulfillment.agent = { name: q.name };
    const intent = { fulfillment, item: { descriptor: { name: 'Consultation' } } };
    if (q.specialty) intent.category = { descriptor: { name: q.specialty } };
    const search = JSON.stringify({
      context: { domain: DOMAIN, country: 'IND', city: q.city ?? 'std:080', action: 'search', core_version: '0.7.1', consumer_id: EUA.subscriber_id, consumer_uri: EUA.url, message_id, transaction_id, timestamp: new Date().toISOString() },
      message: { intent },
    });
    const r = await post(`${GATEWAY.url}/search`, search, EUA, euaKeys);
    return send(res, 200, { transaction_id, message_id, gateway_status: r.status, gateway_answer: JSON.parse(r.body || 'null') });
  }
  if (url.pathname === '/dev/send' && req.method === 'POST') {
    const q = JSON.parse(body);
    const text = typeof q.body === 'string' ? q.body : JSON.stringify(q.body);
    const r = await post(`${q.url}/${q.action}`, text, EUA, euaKeys);
    return send(res, 200, { status: r.status, answer: r.body });
  }
  if (url.pathname === '/dev/journey' && req.method === 'POST') {
    try {
      return send(res, 200, await journey(JSON.parse(body || '{}')));
    } catch (e) {
      return send(res, 502, { error: String(e.message ?? e) });
    }
  }
  const m = url.pathname.match(/^\/eua\/([A-Za-z0-9._-]+)\/(on_[a-z_]+)$/);
  if (m && req.method === 'POST') {
    if (down) return send(res, 503, nack('UHI-1407', 'down for a while'));
    const viaGateway = Boolean(req.headers['x-gateway-authorization']);
    const who = verifySigned(viaGateway ? req.headers['x-gateway-authorization'] : req.headers.authorization, body, viaGateway ? 'GATEWAY' : 'HSPA');
    let msg = null;
    try {
      msg = JSON.parse(body);
    } catch {
      /* recorded as it came */
    }
    euaReceived.push({ eua: m[1], action: m[2], transaction_id: msg?.context?.transaction_id, message_id: msg?.context?.message_id, via_gateway: viaGateway, from: who.signer?.subscriber_id, verified: !who.error, error: who.error ?? null, raw: body, body: msg, at: new Date().toISOString() });
    log('callback', { eua: m[1], action: m[2], verified: !who.error, error: who.error, transaction_id: msg?.context?.transaction_id });
    if (who.error) return send(res, 401, nack('UHI-1405', who.error));
    return send(res, 200, ACK);
  }
  send(res, 404, nack('UHI-1404', 'no such endpoint'));
});
