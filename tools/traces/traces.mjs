// The local trace receiver and its reader (what Jaeger is in Kubernetes, for ./healthtech up).
//
//   node traces.mjs serve --port 4318 --store .data/traces.jsonl
//       POST /v1/traces          OTLP/HTTP, protobuf (what every service exports); decoded with
//                                OpenTelemetry's published definitions (@opentelemetry/
//                                otlp-transformer's generated opentelemetry-proto)
//       GET  /api/traces?limit=N the most recent traces: id, root span, services, duration
//       GET  /api/traces/ID      one trace's spans, and `linked`: the traces with spans linked to
//                                its spans (an event's publication and its consumers)
//       GET  /                   a page to browse them; /trace/ID shows one as a tree
//   node traces.mjs show ID [--url http://127.0.0.1:4318]
//       prints one trace as a tree: service, span, duration, status; then each trace linked to
//       it (the outbox relay's publication, each consumer's processing, the messages and
//       callbacks they queued being sent), and those linked to them, the same way
//
// Spans are kept in memory (the newest MAX_TRACES traces) and appended to the store, which
// is read back on start.
import http from 'node:http';
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const MAX_TRACES = Number(arg('max-traces', 20000));
const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

const hex = (bytes) => Buffer.from(bytes ?? []).toString('hex');
// AnyValue: protobufjs names the oneof member that is set in `value`.
const value = (v) => {
  const which = v?.value;
  if (!which) return null;
  return which === 'intValue' ? Number(v.intValue) : which === 'bytesValue' ? hex(v.bytesValue) : v[which];
};
const attributes = (list) => Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));

/** ExportTraceServiceRequest (protobuf bytes) -> plain spans. */
function decode(body) {
  const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
  const req = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.decode(body);
  const spans = [];
  for (const rs of req.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        spans.push({
          trace_id: hex(s.traceId), span_id: hex(s.spanId), parent_span_id: hex(s.parentSpanId),
          name: s.name, kind: KINDS[s.kind ?? 0] ?? String(s.kind), service: resource['service.name'] ?? '?',
          start_ns: String(s.startTimeUnixNano ?? 0), end_ns: String(s.endTimeUnixNano ?? 0),
          attributes: attributes(s.attributes),
          status: { code: ['UNSET', 'OK', 'ERROR'][s.status?.code ?? 0], message: s.status?.message ?? '' },
          links: (s.links ?? []).map((l) => ({ trace_id: hex(l.traceId), span_id: hex(l.spanId) })),
          sampled: ((s.flags ?? 0) & 1) === 1,
        });
      }
    }
  }
  return spans;
}

const ms = (s) => Number(BigInt(s.end_ns) - BigInt(s.start_ns)) / 1e6;

function summary(id, spans) {
  const ids = new Set(spans.map((s) => s.span_id));
  const roots = spans.filter((s) => !s.parent_span_id || !ids.has(s.parent_span_id));
  const root = roots.sort((a, b) => (BigInt(a.start_ns) < BigInt(b.start_ns) ? -1 : 1))[0];
  const start = spans.reduce((m, s) => (BigInt(s.start_ns) < m ? BigInt(s.start_ns) : m), BigInt(spans[0].start_ns));
  const end = spans.reduce((m, s) => (BigInt(s.end_ns) > m ? BigInt(s.end_ns) : m), 0n);
  return {
    trace_id: id, root: root ? `${root.service}: ${root.name}` : '?', spans: spans.length,
    services: [...new Set(spans.map((s) => s.service))].sort(), errors: spans.filter((s) => s.status.code === 'ERROR').length,
    start: new Date(Number(start / 1000000n)).toISOString(), duration_ms: Number(end - start) / 1e6,
  };
}

/** One trace as indented lines: children under their parent, in start order. */
export function tree(spans) {
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map();
  for (const s of spans) {
    const p = s.parent_span_id && ids.has(s.parent_span_id) ? s.parent_span_id : '';
    if (!children.has(p)) children.set(p, []);
    children.get(p).push(s);
  }
  for (const list of children.values()) list.sort((a, b) => (BigInt(a.start_ns) < BigInt(b.start_ns) ? -1 : 1));
  const lines = [];
  const walk = (parent, depth) => {
    for (const s of children.get(parent) ?? []) {
      const status = s.status.code === 'ERROR' ? `ERROR ${s.status.message}` : 'ok';
      const links = s.links.length ? `  (linked to ${s.links.map((l) => `${l.trace_id}/${l.span_id}`).join(', ')})` : '';
      lines.push({ depth, text: `${s.service}  ${s.name}  ${ms(s).toFixed(2)} ms  ${status}${links}`, span: s });
      walk(s.span_id, depth + 1);
    }
  };
  walk('', 0);
  return lines;
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function serve() {
  const port = Number(arg('port', 4318));
  const store = arg('store', '');
  const traces = new Map(); // trace id -> spans, oldest first (Map keeps insertion order)
  const linkedFrom = new Map(); // span id -> ids of the traces whose spans link to it
  const add = (spans, persist) => {
    for (const s of spans) {
      for (const l of s.links) {
        if (!linkedFrom.has(l.span_id)) linkedFrom.set(l.span_id, new Set());
        linkedFrom.get(l.span_id).add(s.trace_id);
      }
      let list = traces.get(s.trace_id);
      if (!list) {
        list = [];
        traces.set(s.trace_id, list);
        if (traces.size > MAX_TRACES) traces.delete(traces.keys().next().value);
      }
      list.push(s);
    }
    if (persist && store && spans.length) fs.appendFileSync(store, spans.map((s) => JSON.stringify(s)).join('\n') + '\n');
  };
  if (store && fs.existsSync(store)) {
    const lines = fs.readFileSync(store, 'utf8').split('\n').filter(Boolean);
    add(lines.map((l) => JSON.parse(l)), false);
  }
  const send = (res, status, body, type = 'application/json') => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(type === 'application/json' ? JSON.stringify(body) : body);
  };
  const recent = (limit) => [...traces.entries()].slice(-limit).reverse().map(([id, spans]) => summary(id, spans));

  http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= 16 << 20) chunks.push(c);
    });
    req.on('end', () => {
      try {
        if (url.pathname === '/health') return send(res, 200, { status: 'ok' });
        if (url.pathname === '/v1/traces' && req.method === 'POST') {
          if (size > 16 << 20) return send(res, 413, { error: 'too large' });
          if (!(req.headers['content-type'] ?? '').startsWith('application/x-protobuf')) {
            return send(res, 415, { error: 'OTLP/HTTP with Content-Type application/x-protobuf' });
          }
          add(decode(Buffer.concat(chunks)), true);
          return send(res, 200, Buffer.alloc(0), 'application/x-protobuf'); // an empty ExportTraceServiceResponse
        }
        if (url.pathname === '/api/traces' && req.method === 'GET') {
          return send(res, 200, recent(Math.min(Number(url.searchParams.get('limit') ?? 50) || 50, 1000)));
        }
        const one = url.pathname.match(/^\/api\/traces\/([0-9a-f]{32})$/);
        if (one && req.method === 'GET') {
          const spans = traces.get(one[1]);
          if (!spans) return send(res, 404, { error: 'no such trace (yet)' });
          const linked = new Set();
          for (const s of spans) for (const t of linkedFrom.get(s.span_id) ?? []) if (t !== one[1] && traces.has(t)) linked.add(t);
          return send(res, 200, { ...summary(one[1], spans), items: spans, linked: [...linked] });
        }
        const page = url.pathname.match(/^\/trace\/([0-9a-f]{32})$/);
        if (page) {
          const spans = traces.get(page[1]);
          if (!spans) return send(res, 404, '<p>No such trace (yet).</p>', 'text/html; charset=utf-8');
          const rows = tree(spans).map((l) => `<div style="margin-left:${l.depth * 1.5}em" class="${l.span.status.code === 'ERROR' ? 'err' : ''}">${esc(l.text)}</div>`);
          return send(res, 200, `<!doctype html><meta charset="utf-8"><title>trace ${page[1]}</title><style>body{font:14px monospace;margin:2em}.err{color:#b00}</style><p><a href="/">recent traces</a></p><h1>${page[1]}</h1>${rows.join('')}`, 'text/html; charset=utf-8');
        }
        if (url.pathname === '/') {
          const rows = recent(200).map((t) => `<tr><td><a href="/trace/${t.trace_id}">${t.trace_id}</a></td><td>${esc(t.root)}</td><td>${t.spans}</td><td>${esc(t.services.join(', '))}</td><td>${t.duration_ms.toFixed(1)} ms</td><td>${t.errors ? `<b>${t.errors}</b>` : ''}</td><td>${t.start}</td></tr>`);
          return send(res, 200, `<!doctype html><meta charset="utf-8"><title>HealthTech traces</title><style>body{font:14px sans-serif;margin:2em}td{padding:2px 8px}</style><h1>Recent traces</h1><table><tr><th>trace</th><th>root span</th><th>spans</th><th>services</th><th>duration</th><th>errors</th><th>start</th></tr>${rows.join('')}</table>`, 'text/html; charset=utf-8');
        }
        return send(res, 404, { error: 'not found' });
      } catch (e) {
        return send(res, 400, { error: String(e.message ?? e) });
      }
    });
  }).listen(port, '127.0.0.1', () => console.log(JSON.stringify({ msg: 'traces_listening', port })));
}

async function show(id) {
  const base = arg('url', `http://127.0.0.1:${process.env.TRACES_PORT ?? 4318}`);
  if (!/^[0-9a-f]{32}$/.test(id ?? '')) {
    console.error('usage: traces.mjs show TRACE_ID (32 hex digits)');
    process.exit(2);
  }
  const r = await fetch(`${base}/api/traces/${id}`);
  if (r.status === 404) {
    console.error(`no trace ${id} at ${base} (spans arrive within a second of the request)`);
    process.exit(1);
  }
  const print = (t, prefix) => {
    console.log(`${prefix}trace ${t.trace_id}: ${t.spans} spans, ${t.duration_ms.toFixed(2)} ms, services ${t.services.join(', ')}${t.errors ? `, ${t.errors} failed` : ''}`);
    for (const l of tree(t.items)) console.log(`${'  '.repeat(l.depth)}${l.text}`);
  };
  const t = await r.json();
  print(t, '');
  // What the request set going, and what that set going in turn: its events' publication and
  // consumers, the messages they queued and their sending, UHI answers and callbacks.
  const seen = new Set([t.trace_id]);
  const queue = t.linked.map((other) => [other, 1]);
  while (queue.length && seen.size < 50) {
    const [other, depth] = queue.shift();
    if (seen.has(other)) continue;
    seen.add(other);
    const o = await fetch(`${base}/api/traces/${other}`);
    if (!o.ok) continue;
    const lt = await o.json();
    print(lt, `\n${'  '.repeat(depth - 1)}linked `);
    if (depth < 4) for (const next of lt.linked) queue.push([next, depth + 1]);
  }
}

const command = process.argv[2];
if (command === 'serve') serve();
else if (command === 'show') await show(process.argv[3]);
else if (command !== undefined) {
  console.error('usage: traces.mjs serve [--port P] [--store FILE] | show TRACE_ID [--url URL]');
  process.exit(2);
}
