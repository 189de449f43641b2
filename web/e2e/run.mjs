// End-to-end tests of the web app in Debian's Chromium (playwright-core), against a
// running stack whose BFF serves the built app (WEB_DIST_DIR).
//
//   BASE_URL=http://127.0.0.1:8080 IAM_BIN=build/bin/iam-service IAM_ENV="$(...)" node e2e/run.mjs
//
// Each test is a function run in order (later ones use what earlier ones made). A failed
// test keeps its Playwright trace (trace-<name>.zip); screenshots of the main screens are
// saved either way. Everything goes to ARTIFACTS_DIR (default ../build/e2e). Ends with
// "e2e: N passed, M failed".
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const BASE = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const ART = path.resolve(process.env.ARTIFACTS_DIR || path.join(here, '..', '..', 'build', 'e2e'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// The development SMS provider (tools/sms_sink): its failure switch makes a delivery fail.
const SMS_SINK = (process.env.SMS_SINK_URL || 'http://127.0.0.1:8026').replace(/\/$/, '');
const TZ = 'Asia/Kolkata';
const PASSWORD = 'correct horse battery staple';
const run = crypto.randomBytes(4).toString('hex');
const AXE = fs.readFileSync(path.join(here, '..', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

fs.mkdirSync(ART, { recursive: true });

// ------------------------------------------------------------------ helpers
function totp(secretB32, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secretB32.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = crypto.createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

async function outboxToken(email, kind, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await fetch(`${BASE}/v1/dev/outbox?to=${encodeURIComponent(email)}`);
    if (r.ok) {
      const items = (await r.json()).items ?? [];
      for (const m of items.reverse()) {
        const hit = new RegExp(`${kind}\\?token=([A-Za-z0-9_-]+)`).exec(m.body ?? '');
        if (hit) return hit[1];
      }
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`no ${kind} link was sent to ${email}`);
}

/** A verified account made through the API (for the supporting actors). */
async function apiAccount(email, name, phone) {
  const r = await fetch(`${BASE}/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD, full_name: name, ...(phone ? { phone } : {}) }),
  });
  if (r.status !== 201) throw new Error(`register ${email}: HTTP ${r.status} ${await r.text()}`);
  const token = await outboxToken(email, 'verify-email');
  const v = await fetch(`${BASE}/v1/auth/verify-email`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }) });
  if (!v.ok) throw new Error(`verify ${email}: HTTP ${v.status}`);
}

function grantAdmin(email) {
  const env = { ...process.env };
  for (const line of (process.env.IAM_ENV || '').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
  }
  execFileSync(process.env.IAM_BIN, ['grant-admin', email], { env, stdio: 'pipe', timeout: 60_000 });
}

const shots = [];
async function shot(page, name) {
  const file = path.join(ART, `${name}.png`);
  // Devanagari arrives as a web font, fetched when first needed: wait for it.
  await page.evaluate(async () => {
    await document.fonts.load('16px "Noto Sans Devanagari"', 'हिन्दी');
    await document.fonts.ready;
  });
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

const axeResults = {};
/** axe-core on the current page: no serious or critical violation. */
async function axeCheck(page, name) {
  await page.evaluate(AXE + ';0');
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, target: v.nodes[0]?.target }));
  });
  axeResults[name] = res;
  const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) throw new Error(`axe: serious violations on ${name}: ${JSON.stringify(bad)}`);
}

async function signIn(page, email, { code } = {}) {
  await page.goto(`${BASE}/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (code) {
    await page.getByLabel('Code from your authenticator app').fill(code());
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

function expectText(actual, re, what) {
  if (!re.test(actual ?? '')) throw new Error(`${what}: expected ${re}, got ${JSON.stringify(actual)}`);
}

// ------------------------------------------------------------------ the scenario
const S = {
  owner: `owner-${run}@example.com`,
  admin: `admin-${run}@example.com`,
  doctor: `dr-${run}@example.com`,
  patient: `patient-${run}@example.com`,
  doctorName: `Dr. Meera Iyer ${run}`,
  moderator: `mod-${run}@example.com`,
  threadTitle: `Breathless on stairs after a cold ${run}`,
};

async function apiLogin(email) {
  const r = await fetch(`${BASE}/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  if (!r.ok) throw new Error(`login ${email}: HTTP ${r.status}`);
  return (await r.json()).access_token;
}

async function apiCall(method, path, token, body) {
  const r = await fetch(`${BASE}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${await r.text()}`);
  return r.status === 204 ? null : r.json();
}

async function smsFailures(mode) {
  const r = await fetch(`${SMS_SINK}/v1/test/failures`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ mode, count: -1 }) });
  if (!r.ok) throw new Error(`SMS sink at ${SMS_SINK}: HTTP ${r.status}`);
}

/** Pays the appointment on `page` on the gateway simulator's page (the same tab) and waits
 * until the gateway has sent the patient back to the payment page, which shows the capture
 * and says they are booked. */
async function payOnGateway(context, page) {
  void context;
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByRole('button', { name: 'Approve payment' }).click();
  await page.waitForURL(/\/payments\/[0-9a-f-]+\?returned=1/, { timeout: 30_000 });
  await page.getByTestId('payment-status').filter({ hasText: 'captured' }).waitFor({ timeout: 30_000 });
  await page.getByTestId('paid-confirmation').waitFor();
}

/** HH:MM in Asia/Kolkata, `hours` from now (quiet hours that cannot hold this run's messages). */
function istClock(hours) {
  return new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(Date.now() + hours * 3600_000));
}

/** No sideways scrolling at 360 px on these paths (the same tab, so the session stays). */
async function fits360(page, paths) {
  await page.setViewportSize({ width: 360, height: 740 });
  const wide = [];
  try {
    for (const p of paths) {
      await page.goto(`${BASE}${p}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 1) wide.push(`${p} (+${overflow}px)`);
    }
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
  if (wide.length) throw new Error(`pages wider than 360 px: ${wide.join(', ')}`);
}
// What a person must never meet: an answer >= 500 from our server or an error in the console.
// Every page is watched; a step fails when it saw either.
const problems = [];
function watch(page) {
  page.on('response', (r) => {
    if (r.status() >= 500 && r.url().startsWith(BASE)) problems.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium reports every 4xx answer as a console error; those are answers the app handles.
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) return;
    // A step takes the browser offline on purpose: its failed requests are expected.
    if (/ERR_INTERNET_DISCONNECTED/.test(m.text())) return;
    problems.push(`console error on ${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught exception on ${page.url()}: ${e.message}`));
}
let browser;
const contexts = {};
async function newPage(options) {
  const page = await browser.newPage(options);
  watch(page);
  return page;
}
async function ctx(name) {
  if (!contexts[name]) {
    const c = await browser.newContext({ timezoneId: TZ, locale: 'en-IN', viewport: { width: 1280, height: 900 } });
    c.setDefaultTimeout(15_000);
    c.on('page', watch);
    await c.tracing.start({ screenshots: true, snapshots: true, title: name });
    const page = await c.newPage();
    // Every WebSocket frame the app receives, to tell pushes from polling.
    const frames = [];
    page.on('websocket', (ws) => {
      if (!ws.url().endsWith('/ws')) return;
      ws.on('framereceived', (f) => {
        try {
          frames.push({ at: Date.now(), ...JSON.parse(String(f.payload)) });
        } catch {
          /* not JSON */
        }
      });
    });
    contexts[name] = { context: c, page, frames };
  }
  return contexts[name];
}

const tests = [
  [
    'clinic registers, uploads its certificate and submits',
    async () => {
      await apiAccount(S.owner, 'Owner Rao');
      const { page } = await ctx('owner');
      await signIn(page, S.owner);
      await page.goto(`${BASE}/organizations/new`);
      // Client-side validation first: nothing filled.
      await page.getByRole('button', { name: 'Register' }).click();
      await page.getByText('Enter the legal name.').waitFor();
      await page.getByLabel('Legal name').fill(`Sunrise Health Clinic ${run} Pvt Ltd`);
      await page.getByLabel('Name shown to patients').fill(`Sunrise Clinic ${run}`);
      await page.getByLabel('Registration number').fill(`KA-BLR-2026-${run}`);
      await page.getByLabel('Address').fill('12 MG Road');
      await page.getByLabel('City').fill('Bengaluru');
      await page.getByLabel('State').fill('Karnataka');
      await page.getByLabel('PIN code').fill('560001');
      await page.getByLabel('Contact email').fill('desk@sunrise.example');
      await page.getByLabel('Contact phone').fill('+918041234567');
      await page.getByRole('button', { name: 'Register' }).click();
      await page.getByRole('heading', { name: `Sunrise Clinic ${run}` }).waitFor();
      S.orgId = page.url().split('/organizations/')[1];
      await page.getByLabel('File (PDF, PNG or JPEG, up to 5 MiB)').setInputFiles({
        name: 'registration.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'),
      });
      await page.getByRole('button', { name: 'Upload' }).click();
      await page.getByText('Uploaded: registration.pdf').waitFor();
      await page.getByRole('button', { name: 'Submit for verification' }).click();
      await page.getByTestId('org-status').filter({ hasText: 'under review' }).waitFor();
      await shot(page, '06-organization-submitted');
    },
  ],
  [
    'platform admin approves it from the verification queue',
    async () => {
      await apiAccount(S.admin, 'Platform Admin');
      grantAdmin(S.admin);
      const { page } = await ctx('admin');
      await signIn(page, S.admin);
      await page.getByRole('link', { name: 'Verification queue' }).click();
      const item = page.getByTestId('verification-item').filter({ hasText: `Sunrise Clinic ${run}` });
      await item.getByText('registration.pdf').waitFor();
      // The reviewer opens the file itself (the bytes the clinic uploaded).
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        item.getByRole('button', { name: 'Download registration.pdf' }).click(),
      ]);
      if (download.suggestedFilename() !== 'registration.pdf') throw new Error(`downloaded ${download.suggestedFilename()}`);
      const bytes = fs.readFileSync(await download.path());
      if (bytes.subarray(0, 5).toString() !== '%PDF-') throw new Error('the document is not the uploaded PDF');
      await shot(page, '07-admin-verification-queue');
      await axeCheck(page, 'verification queue');
      await item.getByRole('button', { name: 'Approve' }).click();
      await item.waitFor({ state: 'detached' });
    },
  ],
  [
    'clinic adds a facility and invites a practitioner',
    async () => {
      const { page } = await ctx('owner');
      await page.reload();
      await page.getByTestId('org-status').filter({ hasText: /^verified$/ }).waitFor();
      await page.getByLabel('Facility name').fill('Sunrise MG Road');
      await page.getByLabel('Time zone').fill(TZ);
      await page.getByLabel('Facility address').fill('12 MG Road');
      await page.getByLabel('Facility city').fill('Bengaluru');
      await page.getByLabel('Facility state').fill('Karnataka');
      await page.getByLabel('Facility PIN code').fill('560001');
      // Not a point first: refused by the form, nothing sent.
      await page.getByLabel('Facility location (latitude, longitude)').fill('MG Road');
      await page.getByRole('button', { name: 'Add facility' }).click();
      await page.getByText('Give two numbers, latitude').first().waitFor();
      await page.getByLabel('Facility location (latitude, longitude)').fill('12.9758, 77.6063');
      await page.getByRole('button', { name: 'Add facility' }).click();
      await page.getByText(`Sunrise MG Road — Bengaluru (${TZ})`).waitFor();
      await page.getByLabel('Their email').fill(S.doctor);
      await page.getByRole('button', { name: 'Send invitation' }).click();
      await page.getByText(`${S.doctor} as practitioner`).waitFor();
      await shot(page, '08-organization-admin');
      await axeCheck(page, 'organization');
    },
  ],
  [
    'practitioner joins, fills the profile and publishes availability',
    async () => {
      await apiAccount(S.doctor, S.doctorName);
      const token = await outboxToken(S.doctor, 'invitations/accept');
      const { page } = await ctx('doctor');
      await signIn(page, S.doctor);
      await page.goto(`${BASE}/invitations/accept?token=${token}`);
      await page.getByRole('button', { name: 'Accept the invitation' }).click();
      await page.getByRole('heading', { name: 'Organizations' }).waitFor();
      await page.goto(`${BASE}/practice/profile`);
      await page.getByLabel('Name shown to patients').fill(S.doctorName);
      await page.getByLabel('Specialties (comma-separated)').fill('Cardiology');
      await page.getByLabel('Languages (codes, comma-separated)').fill('en, hi');
      await page.getByLabel('First-visit fee (₹, empty for free)').fill('500');
      await page.getByLabel('Follow-up fee (₹)').fill('300');
      await page.getByLabel(/^Gender/).selectOption('female');
      await page.getByLabel(/Sunrise MG Road/).check();
      // Her identity in the Healthcare Professionals Registry (how UHI apps name her); a
      // malformed address is refused beside its field and nothing is saved.
      const hprId = String(crypto.randomInt(1e13, 1e14));
      await page.getByLabel('HPR ID').fill(hprId);
      await page.getByLabel('HPR address').fill('meera@gmail.com');
      await page.getByRole('button', { name: 'Save profile' }).click();
      await page.locator('.field-error').filter({ hasText: 'must be an HPR address' }).waitFor();
      await page.getByLabel('HPR address').fill(`Meera.${run}@hpr.abdm`);
      await page.getByRole('button', { name: 'Save profile' }).click();
      await page.getByText('Saved. Patients find you at').waitFor();
      const mine = await (await page.request.get(`${BASE}/v1/practitioners?q=${encodeURIComponent(S.doctorName)}&limit=50`)).json();
      const saved = (mine.items ?? []).find((p) => p.display_name === S.doctorName);
      expectText(`${saved?.hpr_id} ${saved?.hpr_address}`, new RegExp(`^${hprId.slice(0, 2)}-${hprId.slice(2, 6)}-${hprId.slice(6, 10)}-${hprId.slice(10)} meera\\.${run}@hpr\\.abdm$`), 'HPR ID and address as stored');
      // A profile photo (issue 15, item 11): any PNG will do — a piece of this very page.
      const picture = await page.screenshot({ clip: { x: 0, y: 0, width: 480, height: 360 } });
      await page.getByLabel('Photo file').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: picture });
      await page.getByRole('button', { name: 'Upload photo' }).click();
      await page.getByText('Photo saved.').waitFor();
      await page.waitForFunction(() => document.querySelector('[data-testid=own-photo]')?.naturalWidth === 320);
      // Removing asks first, in an accessible dialog; "Keep it" keeps the photo.
      await page.getByRole('button', { name: 'Remove photo' }).click();
      const ask = page.getByRole('alertdialog', { name: 'Remove your profile photo? Patients will see your initials instead.' });
      await ask.waitFor();
      await axeCheck(page, 'confirmation dialog');
      await ask.getByRole('button', { name: 'Keep it' }).click();
      await ask.waitFor({ state: 'detached' });
      await page.getByTestId('own-photo').waitFor();
      await page.getByRole('link', { name: 'publish your hours' }).click();
      // The week grid: Monday's hours copied to Monday–Saturday, Sunday left closed.
      await page.getByRole('button', { name: 'Add hours on Monday' }).click();
      await page.getByRole('button', { name: 'Copy to Mon–Sat from Monday' }).click();
      await page.getByTestId('week-saturday').getByText('09:00–13:00').waitFor();
      if ((await page.getByTestId('week-sunday').getByText('Closed').count()) !== 1) throw new Error('Sunday was not left closed');
      if ((await page.locator('fieldset.row').count()) !== 6) throw new Error('copy to Mon–Sat did not make six weekly rows');
      await shot(page, '09a-availability-week-grid');
      await axeCheck(page, 'availability week grid');
      // The rest of the story books at any hour: all day, every day instead.
      for (let i = 0; i < 6; i++) await page.getByRole('button', { name: 'Remove', exact: true }).first().click();
      await page.getByRole('button', { name: 'Add every day, all day' }).click();
      await page.getByLabel('Minimum notice (minutes)').fill('0');
      await page.getByLabel('Patients may cancel until (minutes before)').fill('0');
      await page.getByRole('button', { name: 'Publish availability' }).click();
      await page.getByText('Published.').waitFor();
      await shot(page, '09-practitioner-availability');
    },
  ],
  [
    'patient signs up and verifies the email from the development mailbox',
    async () => {
      const { page } = await ctx('patient');
      await page.goto(`${BASE}/signup`);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Use at least 10 characters.').waitFor(); // client validation
      await page.getByLabel('Full name').fill('Asha Patient');
      await page.getByLabel('Email').fill(S.patient);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Repeat the password').fill(PASSWORD);
      // The PWA: a manifest and a service worker that controls the page.
      const sw = await page.evaluate(async () => {
        const reg = await Promise.race([navigator.serviceWorker.ready, new Promise((r) => setTimeout(() => r(null), 10_000))]);
        return { active: !!reg?.active, manifest: document.querySelector('link[rel=manifest]')?.getAttribute('href') };
      });
      if (!sw.active || sw.manifest !== '/manifest.webmanifest') throw new Error(`no service worker / manifest: ${JSON.stringify(sw)}`);
      await shot(page, '01-sign-up');
      await axeCheck(page, 'sign up');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Check your email' }).waitFor();
      const token = await outboxToken(S.patient, 'verify-email');
      await page.goto(`${BASE}/verify-email?token=${token}`);
      await page.getByText('Your email address is confirmed.').waitFor();
    },
  ],
  [
    'patient enrols TOTP from the QR code page and signs in with a code',
    async () => {
      const { page } = await ctx('patient');
      await signIn(page, S.patient);
      await page.goto(`${BASE}/account`);
      await page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
      await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
      const secret = (await page.getByTestId('totp-secret').textContent()).trim();
      S.secret = secret;
      await shot(page, '02-mfa-enrolment');
      await axeCheck(page, 'account / MFA');
      await page.getByLabel('Code from the app').fill(totp(secret));
      await page.getByRole('button', { name: 'Turn on' }).click();
      await page.getByTestId('recovery-codes').waitFor();
      const codes = await page.getByTestId('recovery-codes').locator('li').count();
      if (codes !== 10) throw new Error(`expected 10 recovery codes, saw ${codes}`);
      await page.getByRole('button', { name: 'I saved them' }).click();
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      // A wrong code shows the API's detail.
      await page.getByLabel('Email').fill(S.patient);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Code from your authenticator app').fill(totp(secret) === '000000' ? '111111' : '000000');
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('alert').waitFor();
      // The activation code's 30-second step is spent (replays are refused): the app's
      // next code, which the server accepts as one step of clock skew, is a fresh one.
      await page.getByLabel('Code from your authenticator app').fill(totp(secret, Date.now() + 30_000));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await axeCheck(page, 'my appointments (empty)');
    },
  ],
  [
    'patient finds the practitioner and sees a week of free slots in their time zone',
    async () => {
      const { page } = await ctx('patient');
      await page.getByRole('link', { name: 'Find a doctor' }).first().click();
      await page.getByLabel('Name, specialty or condition').fill(S.doctorName);
      await page.getByLabel('City').fill('Bengaluru');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: S.doctorName }).waitFor();
      // Every match counted (the API's facets: namesakes found by trigram count too), and
      // filters by the doctor's gender and the first visit's fee with those counts: she is a
      // woman doctor whose first visit costs ₹500.
      const found = async () => Number((await page.getByTestId('search-total').textContent()).match(/^(\d+) practitioners? found$/)?.[1]);
      await page.getByTestId('search-total').waitFor();
      const cards = await page.getByTestId('practitioner-card').count();
      const all = await found();
      if (!(all >= cards && cards >= 1)) throw new Error(`search total ${all} for ${cards} cards`);
      const women = page.getByLabel('Doctor', { exact: true }).locator('option[value=female]');
      expectText(await women.textContent(), /^Woman doctor \([1-9]\d*\)$/, 'the women doctors counted');
      const fee = page.getByLabel('First-visit fee', { exact: true }).locator('option[value="30001-50000"]');
      expectText(await fee.textContent(), /^₹300–₹500 \([1-9]\d*\)$/, 'the fee range counted');
      await page.getByLabel('Doctor', { exact: true }).selectOption('female');
      await page.getByLabel('First-visit fee', { exact: true }).selectOption('30001-50000');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/gender=female/);
      expectText(new URL(page.url()).search, /fee_min_minor=30001&fee_max_minor=50000/, 'the fee range in the address');
      // The filtered list (not the one before it): every first visit within the range.
      await page
        .waitForFunction(() => {
          const fees = [...document.querySelectorAll('[data-testid=practitioner-card]')].map((c) => Number(c.textContent.match(/First visit ₹([\d,.]+)/)?.[1].replaceAll(',', '')));
          return fees.length > 0 && fees.every((r) => r > 300 && r <= 500);
        })
        .catch(async () => {
          throw new Error(`first visits outside ₹300–₹500 listed: ${await page.getByTestId('practitioner-card').allTextContents()}`);
        });
      await page.getByRole('link', { name: S.doctorName }).waitFor();
      await page.getByLabel('Doctor', { exact: true }).selectOption('male');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/gender=male/);
      await page.getByRole('link', { name: S.doctorName }).waitFor({ state: 'detached' });
      await page.getByTestId('search-total').waitFor();
      await page.getByLabel('Doctor', { exact: true }).selectOption('');
      await page.getByLabel('First-visit fee', { exact: true }).selectOption('-');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: S.doctorName }).waitFor();
      // The practitioner's photo, served by the API as a 320-pixel square.
      const card = page.getByTestId('practitioner-card').filter({ hasText: S.doctorName });
      await card.locator('img.avatar').waitFor();
      await page.waitForFunction((name) => {
        const c = [...document.querySelectorAll('[data-testid=practitioner-card]')].find((e) => e.textContent.includes(name));
        const img = c?.querySelector('img.avatar');
        return img?.complete && img.naturalWidth === 320;
      }, S.doctorName);
      await shot(page, '03-search');
      await axeCheck(page, 'search');
      // On a phone the filters beyond the first four fold away: the first doctor shows on the
      // first screen, the fold says how many are set, and each filter in use is a chip that
      // removes it.
      const small = await newPage({ viewport: { width: 390, height: 844 }, timezoneId: TZ, locale: 'en-IN', isMobile: true, hasTouch: true });
      try {
        await small.goto(`${BASE}/search?q=${encodeURIComponent(S.doctorName)}&city=Bengaluru&gender=female&fee_min_minor=30001&fee_max_minor=50000`);
        await small.getByRole('link', { name: S.doctorName }).waitFor();
        expectText(await small.locator('.more-filters > summary').textContent(), /^More filters \(2 set\)$/, 'the fold counts the filters set in it');
        // Opened because filters in it are set; closed, nothing of it takes room.
        if (!(await small.getByLabel('Doctor', { exact: true }).isVisible())) throw new Error('set filters are folded away');
        await small.locator('.more-filters > summary').tap();
        await small.getByLabel('Doctor', { exact: true }).waitFor({ state: 'hidden' });
        const chips = small.getByRole('list', { name: 'Filters in use' }).getByRole('button');
        const words = (await chips.allTextContents()).map((w) => w.replace(/\s*×$/, ''));
        for (const w of ['Woman doctor', 'First-visit fee: ₹300–₹500', 'Clear all filters'])
          if (!words.includes(w)) throw new Error(`no chip "${w}" among ${JSON.stringify(words)}`);
        const top = (await small.getByTestId('practitioner-card').first().boundingBox())?.y ?? Infinity;
        await small.screenshot({ path: path.join(ART, '03b-search-390px.png') });
        if (top > 844 - 80) throw new Error(`the first doctor starts at ${top}px, below a small's first screen`);
        const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 1) throw new Error(`the search scrolls sideways at 390 px (${overflow}px)`);
        await small.getByRole('button', { name: 'Remove filter: Woman doctor' }).tap();
        await small.waitForURL((u) => !u.search.includes('gender=') && u.search.includes('fee_min_minor=30001'));
        expectText(await small.locator('.more-filters > summary').textContent(), /^More filters \(1 set\)$/, 'the fold after removing a chip');
        await small.getByRole('button', { name: 'Clear all filters' }).tap();
        await small.waitForURL((u) => u.search === '');
        if ((await small.getByLabel('Name, specialty or condition').inputValue()) !== '') throw new Error('clearing all filters left the text');
      } finally {
        await small.close();
      }
      // The dark theme (the system's choice) keeps every contrast.
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, '03b-search-dark');
      await axeCheck(page, 'search (dark)');
      await page.emulateMedia({ colorScheme: 'light' });
      // Near me: the browser's position (the city left out), and how far the clinic is.
      await page.context().grantPermissions(['geolocation'], { origin: new URL(BASE).origin });
      await page.context().setGeolocation({ latitude: 12.9716, longitude: 77.5946 });
      await page.getByLabel('City').fill('');
      await page.getByRole('button', { name: 'Near me' }).click();
      await page.waitForURL(/latitude=12\.9716&longitude=77\.5946/);
      const nearCard = page.getByTestId('practitioner-card').filter({ hasText: S.doctorName });
      expectText(await nearCard.getByTestId('distance').textContent(), /1\.\d km away/, 'distance from the patient');
      await shot(page, '03c-search-near-me');
      await axeCheck(page, 'search near me');
      await page.getByRole('button', { name: 'Clear location' }).click();
      await page.getByRole('button', { name: 'Near me' }).waitFor();
      await page.getByRole('link', { name: S.doctorName }).click();
      await page.getByRole('heading', { name: S.doctorName }).waitFor();
      const slot = page.locator('button.slot').first();
      await slot.waitFor();
      const dayCount = await page.locator('.week .day').count();
      if (dayCount !== 7) throw new Error(`week view shows ${dayCount} days`);
      await shot(page, '04-practitioner-week');
      await axeCheck(page, 'practitioner week view');
      // One time, one tile: picking a video time does not light up the in-person one too.
      await slot.click();
      const pressed = await page.locator('button.slot[aria-pressed=true]').count();
      if (pressed !== 1) throw new Error(`picking one time highlights ${pressed} tiles`);
      // Before booking, the panel says what this patient pays and why, and until when they
      // can cancel.
      await page.getByTestId('booking-fee').filter({ hasText: '₹500.00 (first visit)' }).waitFor();
      expectText(await page.getByTestId('booking-cutoff').textContent(), /cancel/i, 'cancellation policy before booking');
      // Arrow keys move within the grid.
      await slot.focus();
      await page.keyboard.press('ArrowDown');
      const moved = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
      if (moved === (await slot.getAttribute('aria-label'))) throw new Error('ArrowDown did not move within the day');
      // On a phone the booking panel comes into view, with focus, when a time is picked.
      const phone = await newPage({ viewport: { width: 390, height: 844 }, timezoneId: TZ, isMobile: true, hasTouch: true });
      await phone.goto(page.url());
      await phone.locator('button.slot').nth(1).waitFor();
      // Not signed in on this phone: both fees are shown.
      await phone.locator('button.slot').nth(3).tap();
      expectText(await phone.getByTestId('booking-fee').textContent(), /₹500\.00 for a first visit, ₹300\.00 for a follow-up/, 'fees before signing in');
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      await phone.screenshot({ path: path.join(ART, '04b-practitioner-week-390px.png'), fullPage: true });
      await phone.locator('button.slot').nth(1).tap();
      await phone.locator('#book-heading').waitFor();
      await phone.waitForFunction(() => document.activeElement?.id === 'book-heading');
      const box = await phone.locator('#book-heading').boundingBox();
      await phone.screenshot({ path: path.join(ART, '04c-booking-panel-390px.png') });
      await phone.close();
      if (overflow > 1) throw new Error(`the page scrolls sideways at 390 px (${overflow}px)`);
      if (!box || box.y < 0 || box.y + box.height > 844) throw new Error(`the booking panel is not in view on a phone (${JSON.stringify(box)})`);
    },
  ],
  [
    'patient books and pays on the gateway page; the appointment is confirmed',
    async () => {
      const { page, context } = await ctx('patient');
      // Not the very next slot: it may start before the booking reaches the server.
      await page.locator('button.slot').nth(2).click();
      await page.getByLabel('Reason for the visit (optional)').fill('Chest pain when climbing stairs');
      // Signed in, the panel knows this is a first visit.
      await page.getByTestId('booking-fee').filter({ hasText: '₹500.00 (first visit)' }).waitFor();
      await page.getByRole('button', { name: 'Book for ₹500.00' }).click();
      await page.getByTestId('appointment-status').filter({ hasText: 'Waiting for payment' }).waitFor();
      S.appointmentUrl = page.url().replace(/\?.*$/, '');
      // The appointment names who, where and how much.
      const facts = await page.getByTestId('appointment-facts').textContent();
      expectText(facts, new RegExp(S.doctorName), 'the practitioner on the appointment');
      expectText(facts, /Cardiology/, 'the specialty on the appointment');
      expectText(facts, /Sunrise MG Road/, 'the clinic on the appointment');
      expectText(facts, /12 MG Road, Bengaluru, Karnataka 560001/, "the clinic's address on the appointment");
      expectText(facts, /₹500\.00 \(first visit\)/, 'the fee on the appointment');
      await page.getByRole('link', { name: 'Directions' }).waitFor();
      expectText(await page.title(), /^Appointment · HealthTech$/, 'the page title');
      await payOnGateway(context, page);
      await page.getByRole('button', { name: 'Download invoice (PDF)' }).waitFor({ timeout: 30_000 });
      S.paymentUrl = page.url().replace(/\?.*$/, '');
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download invoice (PDF)' }).click();
      const pdf = await (await download).path();
      const head = fs.readFileSync(pdf).subarray(0, 5).toString();
      if (head !== '%PDF-') throw new Error(`the invoice is not a PDF (${head})`);
      await shot(page, '05-payment-captured');
      await page.goto(S.appointmentUrl);
      await page.getByTestId('appointment-status').filter({ hasText: /^Booked$/ }).waitFor({ timeout: 30_000 });
      await page.getByTestId('appointment-fee').filter({ hasText: 'Paid online' }).waitFor();
      // Add to calendar: an .ics that parses, starting when the appointment starts (UTC).
      const href = await page.getByTestId('ics-link').getAttribute('href');
      const ics = decodeURIComponent(href.replace(/^data:text\/calendar;charset=utf-8,/, ''));
      const unfolded = ics.replace(/\r\n /g, '');
      const start = /\r\nDTSTART:(\d{8}T\d{6}Z)\r\n/.exec(unfolded)?.[1];
      if (!/^BEGIN:VCALENDAR\r\n/.test(ics) || !/END:VEVENT\r\nEND:VCALENDAR\r\n$/.test(ics)) throw new Error('the .ics is not a calendar');
      const shown = await page.getByTestId('appointment-facts').textContent();
      if (!start) throw new Error('the .ics has no DTSTART in UTC');
      const startIso = `${start.slice(0, 4)}-${start.slice(4, 6)}-${start.slice(6, 8)}T${start.slice(9, 11)}:${start.slice(11, 13)}:${start.slice(13, 15)}Z`;
      const local = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(startIso));
      expectText(shown, new RegExp(local), 'the .ics start matches the appointment shown');
      expectText(unfolded, new RegExp(`SUMMARY:Appointment with ${S.doctorName}`), 'the calendar entry names the practitioner');
      await shot(page, '05b-appointment-booked');
      await axeCheck(page, 'appointment page');
    },
  ],
  [
    'patient sees the notification with the unread badge',
    async () => {
      const { page } = await ctx('patient');
      const badge = page.getByTestId('unread-badge');
      // The badge updates by itself (WebSocket push, or the polling fallback).
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=unread-badge]')?.textContent || 0) > 0, null, { timeout: 30_000 });
      const unread = Number(await badge.textContent());
      await page.getByRole('link', { name: /Notifications/ }).click();
      await page.getByRole('list', { name: 'Notifications' }).locator('li').first().waitFor();
      const text = await page.getByRole('list', { name: 'Notifications' }).textContent();
      expectText(text, /book|confirm|payment/i, 'notifications');
      await shot(page, '10-notifications');
      await axeCheck(page, 'notifications');
      await page.getByRole('button', { name: 'Mark all read' }).click();
      await page.waitForFunction(() => document.querySelector('[data-testid=unread-badge]')?.hasAttribute('hidden'), null, { timeout: 15_000 });
      if (!(unread > 0)) throw new Error('no unread notification was counted');
    },
  ],
  [
    'practitioner sees the booking in the schedule and checks the patient in',
    async () => {
      const { page } = await ctx('doctor');
      await page.goto(`${BASE}/practice/today`);
      const item = page.getByTestId('schedule-item').filter({ hasText: 'Chest pain' });
      await item.waitFor();
      // The practitioner sees whom they will see.
      await item.getByText('Asha Patient').waitFor();
      await shot(page, '11-practitioner-schedule');
      await axeCheck(page, "practitioner's schedule");
      await item.getByRole('button', { name: 'Check in' }).click();
      await item.getByText('checked in').waitFor();
      // The patient's page follows.
      const { page: p } = await ctx('patient');
      await p.goto(S.appointmentUrl);
      await p.getByTestId('appointment-status').filter({ hasText: 'Checked in' }).waitFor();
    },
  ],
  [
    'patient books a second time, cancels it and gets the refund',
    async () => {
      const { page, context } = await ctx('patient');
      await page.goto(S.appointmentUrl.replace(/\/appointments\/.*/, '/search'));
      await page.getByLabel('Name, specialty or condition').fill(S.doctorName);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: S.doctorName }).click();
      await page.locator('button.slot').nth(4).click();
      // Offline, booking says so at once instead of "Booking…" until the connection returns.
      await context.setOffline(true);
      await page.getByTestId('offline').waitFor();
      await page.getByRole('button', { name: /^Book for / }).click();
      await page.getByRole('alert').filter({ hasText: 'Cannot reach HealthTech' }).waitFor();
      await context.setOffline(false);
      await page.getByTestId('offline').waitFor({ state: 'detached' });
      await page.getByRole('button', { name: /^Book for / }).click();
      await page.getByTestId('appointment-status').filter({ hasText: 'Waiting for payment' }).waitFor();
      const apptUrl = page.url();
      await payOnGateway(context, page);
      const paymentUrl = page.url().replace(/\?.*$/, '');
      await page.goto(apptUrl);
      await page.getByTestId('appointment-status').filter({ hasText: /^Booked$/ }).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Choose another time' }).waitFor(); // reschedule is offered
      await page.getByLabel('Reason (optional)').fill('Feeling better');
      await page.getByRole('button', { name: 'Cancel appointment' }).click();
      // Cancelling asks first, naming what is cancelled.
      expectText(await page.getByTestId('cancel-confirm').textContent(), new RegExp(S.doctorName), 'the cancel confirmation');
      await page.getByRole('button', { name: 'Yes, cancel it' }).click();
      await page.getByTestId('appointment-status').filter({ hasText: 'cancelled' }).waitFor();
      // The refund is automatic before the cut-off; the payment page shows it.
      const deadline = Date.now() + 30_000;
      for (;;) {
        await page.goto(paymentUrl);
        const st = await page.getByTestId('payment-status').textContent();
        if (/refunded/.test(st)) break;
        if (Date.now() > deadline) throw new Error(`payment not refunded: ${st}`);
        await page.waitForTimeout(1000);
      }
      await page.getByRole('heading', { name: 'Refunds' }).waitFor();
      await shot(page, '12-refunded');
      await page.goto(`${BASE}/appointments`);
      await page.getByRole('tab', { name: 'Past' }).click();
      await page.getByText('cancelled').first().waitFor();
      await shot(page, '13-my-appointments');
      await axeCheck(page, 'my appointments');
      await page.goto(`${BASE}/invoices`);
      await page.getByRole('button', { name: 'PDF' }).first().waitFor();
      await shot(page, '14-invoices');
    },
  ],
  [
    "clinic sees the organization's appointments and payments, and the dashboard draws its charts",
    async () => {
      const { page } = await ctx('owner');
      await page.goto(`${BASE}/organizations/${S.orgId}`);
      const appts = page.getByRole('region', { name: /Appointments/ });
      await appts.getByRole('cell', { name: 'checked in' }).waitFor();
      await appts.getByRole('cell', { name: 'cancelled' }).waitFor();
      // The clinic's table names the patient and the practitioner.
      const row = appts.getByTestId('org-appointment').filter({ hasText: 'Checked in' });
      expectText(await row.textContent(), new RegExp(`Asha Patient.*${S.doctorName}.*Sunrise MG Road`), "the clinic's appointment row");
      const payments = page.getByRole('region', { name: 'Payments' });
      await payments.getByRole('cell', { name: 'refunded' }).waitFor();
      // The clinic refunds the first visit's payment in full.
      await payments.getByRole('button', { name: 'Refund the rest' }).click();
      await payments.getByRole('button', { name: 'Refund the rest' }).waitFor({ state: 'detached', timeout: 30_000 });
      await shot(page, '16-organization-appointments-payments');
      await page.goto(`${BASE}/organizations/${S.orgId}/dashboard`);
      await page.locator('.recharts-surface').first().waitFor();
      await page.getByTestId('no-show-rate').waitFor();
      await shot(page, '15-dashboard');
      await axeCheck(page, 'dashboard');
      // Every main page fits a 360 px phone without scrolling sideways.
      // (Each load waits for the network to settle, so no refresh of the session cookie
      // is cut off by the next navigation.)
      const phone = page;
      await phone.setViewportSize({ width: 360, height: 740 });
      const wide = [];
      for (const p of ['/search', '/appointments', '/invoices', '/notifications', '/account', `/organizations/${S.orgId}`, `/organizations/${S.orgId}/dashboard`, '/organizations/new']) {
        await phone.goto(`${BASE}${p}`);
        await phone.locator('main h1').first().waitFor();
        if (phone.url().includes('/signin')) throw new Error(`signed out while opening ${p}`);
        await phone.waitForLoadState('networkidle');
        const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 1) wide.push(`${p} (+${overflow}px)`);
      }
      await phone.screenshot({ path: path.join(ART, '17-form-360px.png'), fullPage: true });
      // The dashboard's axis labels do not run into each other on the phone.
      await phone.goto(`${BASE}/organizations/${S.orgId}/dashboard`);
      await phone.waitForFunction(() => [...document.querySelectorAll('.recharts-xAxis-tick-labels text')].filter((t) => t.textContent.trim()).length > 1);
      const overlaps = await phone.evaluate(() =>
        [...document.querySelectorAll('.recharts-xAxis-tick-labels')].flatMap((axis, n) => {
          const boxes = [...axis.querySelectorAll('text')]
            .filter((t) => t.textContent.trim())
            .map((t) => t.getBoundingClientRect())
            .filter((b) => b.width > 0)
            .sort((a, b) => a.left - b.left);
          return boxes.slice(1).flatMap((b, i) => (b.left < boxes[i].right - 0.5 ? [`chart ${n + 1}: ticks ${i + 1} and ${i + 2}`] : []));
        }),
      );
      await shot(phone, '15b-dashboard-360px');
      await phone.setViewportSize({ width: 1280, height: 900 });
      if (overlaps.length) throw new Error(`dashboard axis labels overlap at 360 px: ${overlaps.join(', ')}`);
      if (wide.length) throw new Error(`pages wider than 360 px: ${wide.join(', ')}`);
    },
  ],
  [
    'the front desk sees a booking made elsewhere arrive by itself, and checks the patient in',
    async () => {
      const { page } = await ctx('owner');
      await page.goto(`${BASE}/organizations/${S.orgId}/front-desk`);
      await page.getByRole('heading', { name: /Front desk/ }).waitFor();
      await page.waitForLoadState('networkidle');
      // A patient books by phone app (the API) while the screen is open.
      const email = `walkin-${run}@example.com`;
      await apiAccount(email, 'Ravi Kumar', '+919800000001');
      const token = await apiLogin(email);
      const found = await apiCall('GET', `/v1/practitioners?q=${encodeURIComponent(S.doctorName)}`, token);
      const pid = found.items[0].id;
      // The next free time today in the clinic's zone (hours run all day, with no notice).
      const todayIst = new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date());
      const slots = await apiCall('GET', `/v1/practitioners/${pid}/slots?from=${encodeURIComponent(new Date(Date.now() + 5 * 60_000).toISOString())}`, token);
      const slot = slots.items.find((s) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date(s.start)) === todayIst);
      if (!slot) {
        // Within the last half hour of the day there is no time left today: the screen says so.
        await page.getByText('No appointments today.').or(page.getByTestId('front-desk-practitioner')).first().waitFor();
        console.log('    (no free time left today in Asia/Kolkata: checked the empty state only)');
        return;
      }
      const r = await fetch(`${BASE}/v1/appointments`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
        body: JSON.stringify({ practitioner_id: pid, facility_id: slot.facility_id, start: slot.start, mode: slot.mode, pay_at_clinic: true, reason: 'Walk-in follow-up' }),
      });
      if (r.status !== 201) throw new Error(`booking for the front desk: HTTP ${r.status} ${await r.text()}`);
      // No reload: the screen picks it up.
      const arrival = page.getByTestId('arrival').filter({ hasText: 'Ravi Kumar' });
      await arrival.waitFor({ timeout: 20_000 });
      expectText(await arrival.textContent(), /\+919800000001.*Pay at the clinic/, 'the arrival shows phone and payment');
      await shot(page, '16b-front-desk');
      await axeCheck(page, 'front desk');
      await arrival.getByRole('button', { name: 'Check in Ravi Kumar' }).click();
      await arrival.getByText('Checked in').waitFor();
    },
  ],
  [
    'patient sets notification preferences: channels, quiet hours in a time zone, language',
    async () => {
      const { page } = await ctx('patient');
      await page.goto(`${BASE}/notifications`);
      await page.getByRole('link', { name: 'Notification preferences' }).click();
      await page.getByRole('heading', { name: 'Notification preferences' }).waitFor();
      const marketingEmail = page.getByRole('checkbox', { name: 'News and offers: Email' });
      if (await marketingEmail.isChecked()) throw new Error('marketing email is on by default');
      await page.getByRole('checkbox', { name: 'Forum replies and moderation: Email' }).uncheck();
      await page.getByRole('checkbox', { name: 'Appointments: SMS' }).uncheck();
      await page.getByLabel('Hold messages during quiet hours').check();
      // Quiet hours that are not now: this run's in-app messages must not wait.
      await page.getByLabel('From (24-hour, HH:MM)').fill(istClock(3));
      await page.getByLabel('Until (24-hour, HH:MM)').fill(istClock(4));
      await page.getByLabel('Time zone (IANA)').fill('Asia/Kolkatta');
      await page.getByRole('button', { name: 'Save preferences' }).click();
      await page.getByText('Use an IANA time zone such as Asia/Kolkata.').waitFor(); // client validation
      await page.getByLabel('Time zone (IANA)').fill(TZ);
      await page.getByLabel('Language of emails and SMS').selectOption('hi');
      await page.getByRole('button', { name: 'Save preferences' }).click();
      // The whole interface follows the saved language at once (issue 15, item 8).
      await page.getByText('सेटिंग्स सेव हो गईं।').waitFor();
      await page.getByRole('link', { name: 'डॉक्टर खोजें' }).first().waitFor();
      if ((await page.locator('html').getAttribute('lang')) !== 'hi') throw new Error('html lang is not hi');
      await shot(page, '18-notification-preferences-hindi');
      await axeCheck(page, 'notification preferences (Hindi)');
      // Saved on the server: a reload shows the same choices, still in Hindi.
      await page.reload();
      await page.getByLabel('समय क्षेत्र (IANA)').waitFor();
      if ((await page.getByLabel('समय क्षेत्र (IANA)').inputValue()) !== TZ) throw new Error('quiet hours time zone not saved');
      if (await page.getByRole('checkbox', { name: 'फ़ोरम के जवाब और मॉडरेशन: ईमेल' }).isChecked()) throw new Error('forum email still on');
      if (await page.getByRole('checkbox', { name: 'अपॉइंटमेंट: SMS' }).isChecked()) throw new Error('appointments SMS still on');
      if ((await page.getByLabel('ईमेल और SMS की भाषा').inputValue()) !== 'hi') throw new Error('locale not saved');
      // Appointments in Hindi: the heading, dates with Hindi month names, money with ₹.
      await page.goto(`${BASE}/appointments`);
      await page.getByRole('heading', { name: 'मेरे अपॉइंटमेंट' }).waitFor();
      await shot(page, '18b-appointments-hindi');
      await axeCheck(page, 'appointments (Hindi)');
      // Back to English with the topbar's switch, which saves the choice to the account too.
      await page.getByTestId('language-switch').first().click();
      await page.getByRole('heading', { name: 'My appointments' }).waitFor();
      await page.goto(`${BASE}/notifications/preferences`);
      await page.getByLabel('Time zone (IANA)').waitFor();
      if ((await page.getByLabel('Language of emails and SMS').inputValue()) !== 'en') throw new Error('switching back did not save English');
    },
  ],
  [
    'patient asks in the forum; the practitioner replies; the badge and a toast update from a WebSocket frame',
    async () => {
      const { page, frames } = await ctx('patient');
      await page.goto(`${BASE}/forum`);
      await page.getByRole('link', { name: 'Ask a question' }).click();
      await page.getByRole('button', { name: 'Post the question' }).click();
      await page.getByText('Choose a category.').waitFor(); // client validation
      await page.getByLabel('Category').selectOption({ label: 'General health' });
      await page.getByLabel('Title').fill(S.threadTitle);
      await page.getByLabel('Your question (Markdown)').fill('I get **breathless** on the stairs since a cold.\n\n<script>window.__xss=1</script><img src=x onerror="window.__xss=2">');
      await page.getByLabel('Tags (comma-separated)').fill('breathing, Stairs');
      await page.getByRole('button', { name: 'Post the question' }).click();
      await page.getByRole('heading', { name: S.threadTitle }).waitFor();
      S.threadUrl = page.url();
      await page.locator('.post-body strong', { hasText: 'breathless' }).first().waitFor(); // Markdown rendered
      if (await page.evaluate(() => window.__xss)) throw new Error('script from a post ran');
      // The socket is live (authenticated) before the reply is written.
      await page.waitForFunction(() => document.querySelector('[data-live]')?.getAttribute('data-live') === 'websocket', null, { timeout: 20_000 });
      const before = frames.length;
      const { page: doc } = await ctx('doctor');
      await doc.goto(S.threadUrl);
      await doc.getByLabel('Your reply (Markdown)').fill('Please see a doctor if it lasts: *this could be asthma*.');
      await doc.getByRole('button', { name: 'Post reply' }).click();
      await doc.getByRole('article', { name: `Reply by ${S.doctorName}` }).waitFor();
      // The patient's badge: from the WebSocket frame, with polling off (live).
      const deadline = Date.now() + 30_000;
      let frame;
      while (!(frame = frames.slice(before).find((f) => f.type === 'notification'))) {
        if (Date.now() > deadline) throw new Error(`no notification frame over the WebSocket; got ${JSON.stringify(frames.slice(before))}`);
        await page.waitForTimeout(200);
      }
      if (!(frame.unread_count > 0)) throw new Error(`frame without unread_count: ${JSON.stringify(frame)}`);
      await page.waitForFunction((n) => document.querySelector('[data-testid=unread-badge]')?.textContent === String(n), frame.unread_count, { timeout: 5000 });
      const liveAttr = await page.locator('[data-live]').getAttribute('data-live');
      if (liveAttr !== 'websocket') throw new Error(`badge source is ${liveAttr}`);
      await page.getByTestId('toast').filter({ hasText: String(frame.notification?.title ?? '') }).waitFor();
      await page.reload();
      await page.getByRole('article', { name: `Reply by ${S.doctorName}` }).waitFor();
      // The practitioner corrects the reply and can open the earlier version; readers see
      // the correction, not the earlier text (authors edit to take things out).
      const docReply = doc.getByRole('article', { name: `Reply by ${S.doctorName}` });
      await docReply.getByRole('button', { name: 'Edit' }).click();
      await docReply.getByLabel('Edit your post (Markdown)').fill('Please see a doctor if it lasts more than a week.');
      await docReply.getByRole('button', { name: 'Save' }).click();
      await docReply.getByText('more than a week').waitFor();
      await docReply.getByText('Earlier versions').click();
      await docReply.getByRole('list', { name: 'Earlier versions' }).getByText('this could be asthma').waitFor();
      await page.reload();
      const seen = page.getByRole('article', { name: `Reply by ${S.doctorName}` });
      await seen.getByText('more than a week').waitFor();
      if (await seen.getByText('Earlier versions').count()) throw new Error('a reader is offered the earlier versions');
      await shot(page, '19-forum-thread');
      await axeCheck(page, 'forum thread');
      await page.goto(`${BASE}/forum?q=${encodeURIComponent('breathless stairs ' + run)}`);
      await page.getByRole('list', { name: 'Search results' }).getByRole('link', { name: S.threadTitle }).first().waitFor();
      await page.goto(`${BASE}/forum`);
      await page.getByTestId('thread-item').filter({ hasText: S.threadTitle }).waitFor();
      await shot(page, '20-forum');
      await axeCheck(page, 'forum');
    },
  ],
  [
    'patient flags the reply; a moderator hides it from the queue and locks the thread',
    async () => {
      const { page } = await ctx('patient');
      await page.goto(S.threadUrl);
      const reply = page.getByRole('article', { name: `Reply by ${S.doctorName}` });
      await reply.getByRole('button', { name: 'Flag' }).click();
      await reply.getByLabel('Why should moderators look at it?').selectOption('misinformation');
      await reply.getByLabel('Details (optional)').fill('Diagnoses without an exam');
      await reply.getByRole('button', { name: 'Send flag' }).click();
      await reply.getByText('moderators will look at it').waitFor();
      // A moderator: the role granted by a platform admin through the admin API.
      await apiAccount(S.moderator, 'Mo Derator');
      const modToken = await apiLogin(S.moderator);
      const me = await (await fetch(`${BASE}/v1/me`, { headers: { Authorization: `Bearer ${modToken}` } })).json();
      const grant = await fetch(`${BASE}/v1/admin/users/${me.id ?? me.user_id}/roles`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await apiLogin(S.admin)}` },
        body: JSON.stringify({ role: 'moderator' }),
      });
      if (!grant.ok) throw new Error(`grant moderator: HTTP ${grant.status} ${await grant.text()}`);
      const { page: mod } = await ctx('moderator');
      await signIn(mod, S.moderator);
      await mod.getByRole('link', { name: 'Moderation', exact: true }).click();
      const item = mod.getByTestId('queue-item').filter({ hasText: S.threadTitle });
      await item.getByText('Diagnoses without an exam').waitFor();
      await shot(mod, '21-moderation-queue');
      await axeCheck(mod, 'moderation queue');
      await item.getByLabel('Reason (recorded and sent to the author)').fill('Medical advice without an examination');
      const { frames: docFrames } = await ctx('doctor');
      const docBefore = docFrames.length;
      await item.getByRole('button', { name: 'Hide' }).click();
      await item.waitFor({ state: 'detached' });
      // The reply's author is told at once, over the WebSocket.
      const until = Date.now() + 30_000;
      while (!docFrames.slice(docBefore).some((f) => f.type === 'notification')) {
        if (Date.now() > until) throw new Error(`the author got no notification frame: ${JSON.stringify(docFrames.slice(docBefore))}`);
        await mod.waitForTimeout(200);
      }
      // Readers no longer see it.
      await page.reload();
      await page.getByRole('heading', { name: S.threadTitle }).waitFor();
      await page.waitForLoadState('networkidle');
      if (await page.getByText('more than a week').count()) throw new Error('the hidden reply is still shown');
      // The moderator locks the thread; readers can no longer reply.
      await mod.goto(S.threadUrl);
      await mod.getByText('Moderator tools').click();
      await mod.getByLabel('Reason for the record').fill('Answered; see a doctor');
      await mod.getByRole('button', { name: 'Lock thread' }).click();
      await mod.getByRole('button', { name: 'Unlock thread' }).waitFor();
      await page.reload();
      await page.getByText('Locked: no new replies').waitFor();
      if (await page.getByRole('button', { name: 'Post reply' }).count()) throw new Error('a locked thread still offers a reply form');
    },
  ],
  [
    'patient opens a private consultation; the practitioner answers it',
    async () => {
      const { page } = await ctx('patient');
      await page.goto(`${BASE}/search`);
      await page.getByLabel('Name, specialty or condition').fill(S.doctorName);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: S.doctorName }).click();
      await page.getByRole('link', { name: `Ask ${S.doctorName} privately` }).click();
      await page.getByLabel('Subject').fill(`My ECG report ${run}`);
      await page.getByLabel('Message').fill('Is the attached reading normal?');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByRole('heading', { name: `My ECG report ${run}` }).waitFor();
      const { page: doc } = await ctx('doctor');
      await doc.goto(`${BASE}/consultations`);
      await doc.getByRole('link', { name: `My ECG report ${run}` }).click();
      await doc.getByText('Is the attached reading normal?').waitFor();
      await doc.getByLabel('Your message').fill('It looks normal; bring it to the visit.');
      await doc.getByRole('button', { name: 'Send' }).click();
      await doc.getByText('bring it to the visit').waitFor();
      await page.reload();
      await page.getByText('bring it to the visit').waitFor();
      await shot(page, '22-private-consultation');
      await axeCheck(page, 'private consultation');
      // A platform admin outside the thread reads it only after giving a reason (audited), and cannot reply.
      const threadUrl = page.url();
      const { page: adm } = await ctx('admin');
      await adm.goto(threadUrl);
      await adm.getByLabel('Why do you need to read it?').fill(`Safety report ${run}`);
      await adm.getByRole('button', { name: 'Read with this reason' }).click();
      await adm.getByText('bring it to the visit').waitFor();
      await adm.getByText(`Read as a platform admin (recorded): “Safety report ${run}”.`).waitFor();
      if ((await adm.getByLabel('Your message').count()) !== 0) throw new Error('an admin reader is offered a reply box');
    },
  ],
  [
    'an SMS the provider refuses is listed as failed; the platform admin retries it and it is delivered; the new pages fit 360 px',
    async () => {
      const { page } = await ctx('admin');
      // A password change is told by SMS too (security); the SMS provider refuses it.
      const email = `sms-${run}@example.com`;
      const phone = '+9198' + String(crypto.randomInt(10_000_000, 99_999_999));
      await apiAccount(email, 'Kiran Phone', phone);
      const tok = await apiLogin(email);
      await page.goto(`${BASE}/`);
      await page.getByRole('link', { name: 'Failed notifications' }).click();
      await page.getByRole('heading', { name: 'Failed notifications' }).waitFor();
      const item = page.getByTestId('failed-notification').filter({ hasText: phone });
      await smsFailures('permanent');
      try {
        await apiCall('POST', '/v1/me/password', tok, { current_password: PASSWORD, new_password: PASSWORD + ' 2' });
        const until = Date.now() + 30_000;
        for (;;) {
          await page.reload();
          await page.getByRole('heading', { name: 'Failed notifications' }).waitFor();
          await page.waitForLoadState('networkidle');
          if (await item.count()) break;
          if (Date.now() > until) throw new Error(`the refused SMS to ${phone} is not listed as failed`);
          await page.waitForTimeout(1000);
        }
      } finally {
        await smsFailures('none');
      }
      await item.getByText('simulated permanent failure').waitFor();
      await shot(page, '23-failed-notifications');
      await axeCheck(page, 'failed notifications');
      await item.getByRole('button', { name: 'Retry' }).click();
      await page.getByRole('status').filter({ hasText: new RegExp(`^Queued again: .+ \\(sms\\) to \\${phone}\\.$`) }).waitFor();
      await item.waitFor({ state: 'detached' });
      // The retried SMS reaches the provider.
      const sent = Date.now() + 30_000;
      for (;;) {
        const got = await (await fetch(`${SMS_SINK}/messages?to=${encodeURIComponent(phone)}`)).json();
        if ((got.items ?? []).length) break;
        if (Date.now() > sent) throw new Error('the retried SMS was not delivered');
        await page.waitForTimeout(500);
      }
      const { page: p } = await ctx('patient');
      await fits360(p, ['/forum', new URL(S.threadUrl).pathname, '/notifications/preferences', '/consultations', '/forum/new']);
      const { page: mod } = await ctx('moderator');
      await fits360(mod, ['/moderation']);
    },
  ],
  [
    'an admin adds a category, a moderator a watched word, and a long list loads on demand',
    async () => {
      const { page: adm } = await ctx('admin');
      await adm.goto(`${BASE}/moderation`);
      await adm.getByLabel('Category name').fill(`Paging ${run}`);
      await adm.getByLabel('Description').fill('Many threads');
      await adm.getByLabel('Slow mode: seconds between two posts of one user (0 is off)').fill('0');
      await adm.getByRole('button', { name: 'Create category' }).click();
      await adm.getByText(`Category “Paging ${run}” created.`).waitFor();
      const admin = await apiLogin(S.admin);
      // The list is paged (earlier suites add categories too): look through every page.
      let cat;
      for (let token = ''; !cat; ) {
        const page = await apiCall('GET', `/v1/forum/categories?limit=100${token && `&page_token=${encodeURIComponent(token)}`}`, admin);
        cat = (page.items ?? []).find((c) => c.name === `Paging ${run}`);
        if (!page.next_page_token) break;
        token = page.next_page_token;
      }
      if (!cat) throw new Error('the new category is not listed');
      // A watched word that blocks: the moderator adds it, a post with it is refused, then it is removed.
      const { page: mod } = await ctx('moderator');
      await mod.goto(`${BASE}/moderation`);
      const word = `miraclecure${run}`;
      await mod.getByLabel('Word or phrase').fill(word);
      await mod.getByLabel('When a post contains it').selectOption('block');
      await mod.getByRole('button', { name: 'Add word' }).click();
      await mod.getByRole('list', { name: 'Watched words' }).getByText(word, { exact: true }).waitFor();
      const refused = await fetch(`${BASE}/v1/forum/threads`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${admin}` },
        body: JSON.stringify({ category_id: cat.id, title: `Try ${word} today`, body: 'It works.', tags: [] }),
      });
      if (refused.status !== 400) throw new Error(`a post with a blocked word: HTTP ${refused.status}, expected 400`);
      await mod.getByRole('button', { name: `Remove ${word}` }).click();
      await mod.getByRole('button', { name: `Remove ${word}` }).waitFor({ state: 'detached' });
      await axeCheck(mod, 'moderation tools');
      for (let i = 1; i <= 31; i += 1) {
        await apiCall('POST', '/v1/forum/threads', admin, { category_id: cat.id, title: `Paged question number ${i} ${run}`, body: 'Body text.', tags: [] });
      }
      const { page } = await ctx('moderator');
      await page.goto(`${BASE}/forum?category=${cat.id}`);
      const items = page.getByTestId('thread-item');
      await items.first().waitFor();
      if ((await items.count()) !== 30) throw new Error(`first page: ${await items.count()} threads, expected 30`);
      await page.getByRole('button', { name: 'Load more threads' }).click();
      await page.getByText(`Paged question number 1 ${run}`, { exact: true }).waitFor();
      if ((await items.count()) !== 31) throw new Error(`after loading more: ${await items.count()} threads, expected 31`);
      await page.getByRole('button', { name: 'Load more threads' }).waitFor({ state: 'detached' });
    },
  ],
  [
    'the live socket re-authenticates on the same connection before the access token expires',
    async () => {
      const email = `live-${run}@example.com`;
      await apiAccount(email, 'Lee Live');
      const { page, frames } = await ctx('live');
      const sent = [];
      let sockets = 0;
      page.on('websocket', (ws) => {
        if (!ws.url().endsWith('/ws')) return;
        sockets += 1;
        ws.on('framesent', (f) => {
          try {
            sent.push(JSON.parse(String(f.payload)));
          } catch {
            /* not JSON */
          }
        });
      });
      // The page's clock is ours to move: 15-minute tokens, no 15-minute wait.
      await page.clock.install();
      await signIn(page, email);
      const readies = () => frames.filter((f) => f.type === 'ready');
      const wait = async (cond, what) => {
        const until = Date.now() + 20_000;
        while (!cond()) {
          if (Date.now() > until) throw new Error(`${what}; sent ${JSON.stringify(sent.map((f) => f.type))}, got ${JSON.stringify(frames.map((f) => f.type))}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      await wait(() => readies().length >= 1, 'the socket never became ready');
      const socketsBefore = sockets;
      await page.clock.fastForward('14:05'); // the renewal is due a minute before expiry
      await wait(() => readies().length >= 2, 'no second ready after the renewal');
      const auths = sent.filter((f) => f.type === 'auth');
      if (auths.length !== 2 || auths[0].access_token === auths[1].access_token) throw new Error(`expected two auth frames with different tokens, got ${auths.length}`);
      if (sockets !== socketsBefore) throw new Error('a new socket was opened instead of re-authenticating');
      const [r1, r2] = readies();
      // The server took the renewed token (its expiry; real time moved only seconds, so it may equal the first).
      const exp2 = JSON.parse(Buffer.from(auths[1].access_token.split('.')[1], 'base64url').toString()).exp;
      if (r2.expires_at !== exp2 || r2.expires_at < r1.expires_at) throw new Error(`ready after re-auth: ${r1.expires_at} → ${r2.expires_at}, token exp ${exp2}`);
      if ((await page.locator('[data-live]').getAttribute('data-live')) !== 'websocket') throw new Error('the badge fell back to polling');
      await page.close();
    },
  ],
];

// ------------------------------------------------------------------ runner
let passed = 0;
let failed = 0;
const started = Date.now();
browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let skipRest = false;
for (const [name, fn] of tests) {
  if (skipRest) {
    failed += 1;
    console.log(`  ✗ ${name} (not run: an earlier step failed)`);
    continue;
  }
  const t0 = Date.now();
  let watchdog;
  try {
    // No step may hang the suite: each gets two minutes at most.
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        watchdog = setTimeout(() => reject(new Error('step took longer than 120 s')), 120_000);
      }),
    ]);
    clearTimeout(watchdog);
    if (problems.length) throw new Error(`the browser met ${problems.length} problem(s):\n${problems.splice(0).join('\n')}`);
    passed += 1;
    console.log(`  ✓ ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    clearTimeout(watchdog);
    problems.splice(0);
    failed += 1;
    skipRest = true; // the scenario is a story: later steps need this one
    console.log(`  ✗ ${name}\n      ${String(e?.message ?? e).split('\n').slice(0, 6).join('\n      ')}`);
    for (const [who, { page }] of Object.entries(contexts)) {
      await page.screenshot({ path: path.join(ART, `failed-${who}.png`), fullPage: true }).catch(() => {});
    }
    for (const [who, { context }] of Object.entries(contexts)) {
      await context.tracing.stop({ path: path.join(ART, `trace-${who}.zip`) }).catch(() => {});
    }
  }
}
if (!skipRest) for (const { context } of Object.values(contexts)) await context.tracing.stop().catch(() => {});
await browser.close();
fs.writeFileSync(path.join(ART, 'axe.json'), JSON.stringify(axeResults, null, 2));
console.log(`  screenshots: ${shots.length} in ${ART}; axe results in axe.json; ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
