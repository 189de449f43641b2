#!/usr/bin/env python3
"""The native app (clients/app) against a running stack, as ./healthtech test runs it.

1. Demo data through the REST API (scripts/seed.py): patients, and a practitioner without a fee.
2. The app's client against the stack (build/bin/app_api_tests, Qt Test): its field table
   and operations against /v1/openapi.json (the drift test), the session (refresh, rotation,
   keychain, restore, revocation), problems and the offline state.
3. The smoke mode, headless (QT_QPA_PLATFORM=offscreen), three times: desktop size in
   English (a patient books Dr. Rohan Deshpande, then he signs in and checks the patient in),
   a phone-sized window in Hindi, a phone-sized window in the dark theme. Each run must end
   0, write its screenshots (real PNGs of the window's size, not blank) and print the
   appointment id, which is then checked through the REST API: the patient's appointment,
   with that practitioner, in the state the app left it in.
4. The .deb (cpack): it builds, holds the binary, the desktop entry (healthtech:// links)
   and the icon, and depends on the Qt libraries it links.

   Then the screens' controller for the rest of the journeys (build/bin/app_flow_tests):
   a paid booking paid through the gateway simulator's checkout, its invoice PDF, a
   reschedule, a cancellation, a notification over /ws, and the front desk's day.

Environment: BFF_URL, GATEWAY_URL, BUILD_DIR, ROOT, IAM_BIN, IAM_ENV (for the seed's admin).
Ends with "N passed, M failed".
"""
import json
import os
import re
import struct
import subprocess
import sys
import time
import zlib

import requests

BFF = os.environ["BFF_URL"]
BUILD = os.environ["BUILD_DIR"]
ROOT = os.environ["ROOT"]
BIN = os.path.join(BUILD, "bin")
PASSWORD = "healthtech-demo-2026"
DOMAIN = "demo.healthtech.dev"
DOCTOR = "Dr. Rohan Deshpande"  # the seed's practitioner without a fee

passed = failed = 0


def check(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {name}")
    else:
        failed += 1
        print(f"not ok - {name}")
        for line in str(detail).strip().splitlines()[-25:]:
            print(f"    {line}")
    sys.stdout.flush()
    return ok


def png_info(path):
    """(width, height, distinct colours in a sample) of a PNG, read without libraries."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width, height, depth, ctype = struct.unpack(">IIBB", data[16:26])
    idat, pos = b"", 8
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw = zlib.decompress(idat)
    bpp = {2: 3, 6: 4}.get(ctype, 4) * depth // 8
    stride = width * bpp + 1
    colours = set()
    # Filtered bytes are not pixels, but rows filtered "None" (0) and "Sub" (1) still differ
    # row to row only where the image does: enough to tell a blank screen from a real one.
    for y in range(0, height, max(1, height // 40)):
        row = raw[y * stride + 1:(y + 1) * stride]
        for x in range(0, len(row) - bpp, bpp * 13):
            colours.add(row[x:x + bpp])
    return width, height, len(colours)


def login(email):
    r = requests.post(f"{BFF}/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=30)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def smoke(name, outdir, email, extra_args, extra_env, shots):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HEALTHTECH_SMOKE_EMAIL=email,
               HEALTHTECH_SMOKE_PASSWORD=PASSWORD, **extra_env)
    subprocess.run(["rm", "-rf", outdir], check=False)
    t0 = time.monotonic()
    p = subprocess.run([os.path.join(BIN, "healthtech-app"), "--api", BFF, "--smoke", outdir, *extra_args],
                       env=env, capture_output=True, text=True, timeout=180)
    out = p.stdout + p.stderr
    m = re.search(r"^booked appointment ([0-9a-f-]{36})$", p.stdout, re.M)
    if not check(p.returncode == 0 and m, f"smoke {name}: exits 0 and prints the booked appointment "
                 f"({time.monotonic() - t0:.1f} s)", out):
        return None
    want = tuple(int(x) for x in extra_args[extra_args.index("--size") + 1].split("x")) if "--size" in extra_args else (1280, 860)
    problems = []
    for shot in shots:
        path = os.path.join(outdir, shot)
        info = png_info(path) if os.path.exists(path) else None
        if not info:
            problems.append(f"{shot}: missing or not a PNG")
        elif (info[0], info[1]) != want or info[2] < 12 or os.path.getsize(path) < 8000:
            problems.append(f"{shot}: {info[0]}x{info[1]}, {info[2]} colours, {os.path.getsize(path)} bytes")
    check(not problems, f"smoke {name}: {len(shots)} screenshots of {want[0]}x{want[1]}, none blank", "\n".join(problems))
    return m.group(1)


def qt_test(what, binary, env):
    """Runs a Qt Test binary against the stack; one check per test function."""
    p = subprocess.run([os.path.join(BIN, binary)], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, QT_QPA_PLATFORM="offscreen", HEALTHTECH_API_URL=BFF, **env))
    for line in p.stdout.splitlines():
        m = re.match(r"^(PASS|FAIL!)\s*: \w+::(\w+)\(\)", line)
        if m and m.group(2) not in ("initTestCase", "cleanupTestCase"):
            check(m.group(1) == "PASS", f"{what}: {m.group(2)}", p.stdout)
    check(p.returncode == 0 and "Totals:" in p.stdout, f"{what} tests ran to the end", p.stdout + p.stderr)


def main():
    # 1. Demo data.
    p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts/seed.py")], capture_output=True, text=True, timeout=600)
    if not check(p.returncode == 0, "demo data (scripts/seed.py)", p.stdout + p.stderr):
        return

    # 2. The client's contract and session against the stack.
    doc = os.path.join(BUILD, "app-openapi.json")
    with open(doc, "wb") as f:
        f.write(requests.get(f"{BFF}/v1/openapi.json", timeout=30).content)
    step("app client", qt_test, "app client", "app_api_tests", dict(OPENAPI_FILE=doc,
            HEALTHTECH_SMOKE_EMAIL=f"sara.patient@{DOMAIN}", HEALTHTECH_SMOKE_PASSWORD=PASSWORD))

    # 3. The screens, headless.
    shots = [f"0{i}-{n}.png" for i, n in enumerate(["search", "practitioner", "booking", "appointments", "notifications"], 1)]
    desk = step("smoke", smoke, "desktop, English, patient books and the practitioner checks in", os.path.join(BUILD, "app-smoke/desktop"),
                 f"priya.patient@{DOMAIN}", ["--tz", "Asia/Kolkata", "--lang", "en"],
                 {"HEALTHTECH_SMOKE_PRACTITIONER_NAME": DOCTOR,
                  "HEALTHTECH_SMOKE_PRACTITIONER_EMAIL": f"dr.rohan@{DOMAIN}",
                  "HEALTHTECH_SMOKE_PRACTITIONER_PASSWORD": PASSWORD}, shots + ["06-schedule.png"])
    phone = step("smoke", smoke, "phone-sized, Hindi", os.path.join(BUILD, "app-smoke/phone-hi"), f"rahul.patient@{DOMAIN}",
                  ["--tz", "Asia/Kolkata", "--lang", "hi", "--size", "390x844"],
                  {"HEALTHTECH_SMOKE_PRACTITIONER_NAME": DOCTOR}, shots)
    dark = step("smoke", smoke, "phone-sized, dark", os.path.join(BUILD, "app-smoke/phone-dark"), f"sara.patient@{DOMAIN}",
                 ["--tz", "Asia/Kolkata", "--theme", "dark", "--size", "390x844"],
                 {"HEALTHTECH_SMOKE_PRACTITIONER_NAME": DOCTOR}, shots)

    # What the smoke run does not walk: pay through the checkout, the invoice, reschedule,
    # cancel, a live notification, the front desk's day (which shows the bookings above).
    step("app screens", qt_test, "app screens", "app_flow_tests", {"GATEWAY_URL": os.environ["GATEWAY_URL"]})
    step("single instance", single_instance)

    # What the app did, as the API sees it.
    for who, appt, status in (("priya", desk, "checked_in"), ("rahul", phone, "booked"), ("sara", dark, "booked")):
        if not appt:
            continue
        r = requests.get(f"{BFF}/v1/appointments/{appt}", headers=login(f"{who}.patient@{DOMAIN}"), timeout=30)
        a = r.json() if r.ok else {}
        check(r.ok and a.get("practitioner_name") == DOCTOR and a.get("status") == status,
              f"REST: {who}'s appointment from the app is with {DOCTOR}, {status}", json.dumps(a)[:600] or r.text)
    if desk:
        r = requests.get(f"{BFF}/v1/appointments/{desk}", headers=login(f"dr.rohan@{DOMAIN}"), timeout=30)
        check(r.ok and (r.json().get("patient") or {}).get("full_name") == "Priya Patient",
              "REST: the practitioner sees the patient's name on it", r.text[:600])

    step("the .deb", package)


def package():
    # 4. The package.
    pkgdir = os.path.join(BUILD, "packages")
    subprocess.run(["rm", "-rf", pkgdir], check=False)
    p = subprocess.run(["cpack", "-G", "DEB", "--config", os.path.join(BUILD, "CPackConfig.cmake"), "-B", pkgdir],
                       capture_output=True, text=True, timeout=600, cwd=BUILD)
    debs = [os.path.join(pkgdir, f) for f in os.listdir(pkgdir) if f.endswith(".deb")] if os.path.isdir(pkgdir) else []
    if check(p.returncode == 0 and len(debs) == 1, "cpack builds one .deb", p.stdout + p.stderr):
        files = subprocess.run(["dpkg-deb", "-c", debs[0]], capture_output=True, text=True).stdout
        info = subprocess.run(["dpkg-deb", "-f", debs[0], "Depends"], capture_output=True, text=True).stdout
        need = ["./usr/bin/healthtech-app", "./usr/share/applications/healthtech-app.desktop",
                "./usr/share/icons/hicolor/scalable/apps/healthtech-app.svg"]
        missing = [n for n in need if n not in files]
        check(not missing and "libqt6quick6" in info and "qml6-module-qtquick-controls" in info and "keychain" in info and "libqt6svg6" in info,
              f"the .deb holds the app, its desktop entry and icon, and depends on Qt ({os.path.getsize(debs[0]) // 1024} KiB)",
              f"missing: {missing}\nDepends: {info}\n{files}")



def single_instance():
    """A second start hands its link to the running app and leaves (two would rotate the same
    refresh token and IAM would end the session as stolen)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    log = open(os.path.join(BUILD, "app-first-instance.log"), "w+")
    first = subprocess.Popen([os.path.join(BIN, "healthtech-app"), "--api", BFF, "--no-keychain"], env=env,
                             stdout=subprocess.DEVNULL, stderr=log)
    try:
        time.sleep(2)
        t0 = time.monotonic()
        second = subprocess.run([os.path.join(BIN, "healthtech-app"), "--api", BFF, "--no-keychain",
                                 "healthtech://appointments"], env=env, capture_output=True, text=True, timeout=30)
        took = time.monotonic() - t0
        time.sleep(0.5)
        log.seek(0)
        got = log.read()
        check(second.returncode == 0 and took < 5 and first.poll() is None and "link healthtech://appointments" in got,
              f"a second start hands its link to the running app and leaves ({took:.1f} s)",
              f"rc={second.returncode} first={first.poll()}\n{second.stderr}\nfirst's log:\n{got}")
    finally:
        first.terminate()
        try:
            first.wait(10)
        except subprocess.TimeoutExpired:
            first.kill()


def step(name, fn, *args):
    """One step; an exception (a timeout, the API unreachable) fails it, not the whole run."""
    try:
        return fn(*args)
    except Exception as e:  # reported as a failed check, with its reason
        check(False, f"{name} (raised {type(e).__name__})", repr(e))
        return None


if __name__ == "__main__":
    step("the native app's checks", main)
    print(f"{passed} passed, {failed} failed")
