// First contentful paint of the web app's landing and practitioner pages over an emulated
// slow 3G link (Chrome DevTools protocol: 400 ms RTT, 400 kbit/s down, 400 kbit/s up; the
// "Slow 3G" of Lighthouse), in Debian's Chromium against a running stack.
//
//   node bench/web_first_content.mjs [BASE_URL]        (default http://127.0.0.1:8080)
//
// Each page is loaded RUNS times in a fresh context (empty cache) with compressed transfer,
// and RUNS times asking for uncompressed files (Accept-Encoding: identity), the baseline.
// Prints the median and the ratio. Run from web/ (playwright-core is a dev dependency there).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');
const BASE = (process.argv[2] || process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const RUNS = Number(process.env.RUNS || 3);

async function practitionerPath() {
  const r = await fetch(`${BASE}/v1/practitioners?limit=1`);
  const id = (await r.json()).items?.[0]?.id;
  return id ? `/practitioners/${id}` : '/search';
}

async function fcp(browser, url, identity) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 400, downloadThroughput: (400 * 1024) / 8, uploadThroughput: (400 * 1024) / 8,
  });
  if (identity) await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'identity' } });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
  const ms = await page.evaluate(() => new Promise((resolve) => {
    const done = () => {
      const e = performance.getEntriesByName('first-contentful-paint')[0];
      if (e) resolve(e.startTime);
      else setTimeout(done, 100);
    };
    done();
  }));
  await context.close();
  return { ms, bytes };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
console.log(`first contentful paint over slow 3G (400 ms RTT, 400 kbit/s), 390x844, ${RUNS} runs each, median`);
console.log('page                          compressed          uncompressed        ratio');
for (const p of ['/', await practitionerPath()]) {
  const on = [], off = [];
  for (let i = 0; i < RUNS; i++) {
    on.push(await fcp(browser, BASE + p, false));
    off.push(await fcp(browser, BASE + p, true));
  }
  const a = median(on.map((x) => x.ms)), b = median(off.map((x) => x.ms));
  const ka = median(on.map((x) => x.bytes)) / 1024, kb = median(off.map((x) => x.bytes)) / 1024;
  console.log(`${(p.length > 28 ? p.slice(0, 27) + '…' : p).padEnd(30)}${(a / 1000).toFixed(2)} s ${ka.toFixed(0).padStart(5)} KB   ${(b / 1000).toFixed(2)} s ${kb.toFixed(0).padStart(5)} KB   ${(a / b).toFixed(2)}x`);
}
await browser.close();
