"""Notification delivery through the REST API and the real sinks: preferences and quiet
hours, SMS over the provider's HTTP API (DLT ids, Unicode), Hindi templates, security
messages that ignore opt-outs, SMTP outages retried until delivered, failed deliveries that
platform admins see and retry, the circuit breaker, the email fallback of urgent SMS, the
per-user SMS cap, and the account, organization and forum messages."""
import datetime as dt
import json
import os
import random
import re
import signal
import subprocess
import time
import uuid
from zoneinfo import ZoneInfo

import grpc
import requests

from conftest import User, assert_problem, process_alive, restart_supervised, stream_entries
from test_appointments import book, clinic, later_slots  # noqa: F401 - fixture
from test_notifications import inbox, mails, wait_for


def process_gone(pid):
    """True once the process has exited (or is a zombie awaiting its parent). Reading
    /proc races with the exit itself, so a vanished entry counts as gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True

SMS_SINK = os.environ.get("SMS_SINK_URL", "")
SMTP_SINK = os.environ.get("SMTP_SINK_URL", "")


def sms(number):
    assert SMS_SINK, "SMS_SINK_URL is not set (run through ./healthtech test)"
    return requests.get(f"{SMS_SINK}/messages", params={"to": number}, timeout=5).json()["items"]


def sms_failures(mode, count=-1):
    r = requests.post(f"{SMS_SINK}/v1/test/failures", json={"mode": mode, "count": count}, timeout=5)
    assert r.status_code == 200, r.text


def patient_with_phone(api):
    email = f"p-{uuid.uuid4().hex[:10]}@example.com"
    phone = "+9198" + "".join(random.choice("0123456789") for _ in range(8))
    r = api.post("/v1/auth/register", {"email": email, "password": "correct horse battery",
                                       "full_name": "Meera Iyer", "phone": phone})
    assert r.status_code == 201, r.text
    u = User(email=email, password="correct horse battery", id=r.json()["user_id"])
    assert api.post("/v1/auth/verify-email", {"token": api.last_token(email)}).status_code == 200
    api.login(u)
    u.phone = phone
    return u


def prefs(api, user, body=None):
    r = api.call("PUT", "/v1/notification-preferences", body, token=user.access) if body is not None \
        else api.get("/v1/notification-preferences", token=user.access)
    assert r.status_code == 200, r.text
    return r.json()


def by_category(p):
    return {c["category"]: {k: c.get(k, False) for k in ("email", "sms", "in_app", "push")} for c in p["categories"]}


def xadd(stream, type_, payload):
    args = ["id", str(uuid.uuid4()), "type", type_, "source", stream.rsplit(":", 1)[1], "aggregate_id",
            payload.get("appointment_id", payload.get("thread_id", "")),
            "occurred_at", dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "payload", json.dumps(payload)]
    subprocess.run(["redis-cli", "-p", os.environ["REDIS_PORT"], "XADD", stream, "*", *args],
                   check=True, capture_output=True)


def booked_event(patient):
    """The appointment.booked payload the appointment service published for this patient."""
    def find():
        for _, e in stream_entries("healthtech:events:appointment"):
            if patient.id in e.get("payload", ""):
                payload = json.loads(e["payload"])
                if payload.get("patient_id") == patient.id and payload.get("status") == "booked":
                    return payload
    return wait_for(find)


def deliveries(db, user_id, channel):
    """Statuses of the user's deliveries on a channel, oldest first, without account messages
    (every test user's verification email)."""
    return db(f"SELECT string_agg(status, ',' ORDER BY created_at) FROM notification.deliveries "
              f"WHERE user_id = '{user_id}' AND channel = '{channel}' AND event_type NOT LIKE 'user.%'") or ""


def test_preferences_have_defaults_merge_updates_and_refuse_bad_input(api, user):
    p = prefs(api, user)
    assert by_category(p) == {
        "appointments": {"email": True, "sms": True, "in_app": True, "push": False},
        "payments": {"email": True, "sms": False, "in_app": True, "push": False},
        "forum": {"email": True, "sms": False, "in_app": True, "push": False},
        "marketing": {"email": False, "sms": False, "in_app": False, "push": False},  # opt-in
    }
    assert p["locale"] == "en" and "quiet_hours" not in p
    p = prefs(api, user, {"categories": [{"category": "marketing", "email": True}], "locale": "hi"})
    assert by_category(p)["marketing"]["email"] is True and p["locale"] == "hi" and p["updated_at"]
    p = prefs(api, user, {"categories": [{"category": "appointments", "sms": False}]})
    cats = by_category(p)
    assert cats["appointments"] == {"email": True, "sms": False, "in_app": True, "push": False}
    assert cats["marketing"]["email"] is True  # earlier changes stay
    quiet = {"start_local": "22:00", "end_local": "07:00", "timezone": "Asia/Kolkata"}
    assert prefs(api, user, {"quiet_hours": quiet})["quiet_hours"] == quiet
    before = prefs(api, user)
    for body, field in (({"categories": [{"category": "account", "email": False}]}, "categories[0].category"),
                        ({"quiet_hours": dict(quiet, start_local="25:00")}, "quiet_hours.start_local"),
                        ({"quiet_hours": dict(quiet, end_local="22:00")}, "quiet_hours.end_local"),
                        ({"quiet_hours": dict(quiet, timezone="Mars/Olympus_Mons")}, "quiet_hours.timezone"),
                        ({"locale": "fr"}, "locale"),
                        ({"categories": [{"category": "forum", "push": True}]}, "categories[0].push")):
        r = api.call("PUT", "/v1/notification-preferences", body, token=user.access)
        problem = assert_problem(r, 400, "VALIDATION_FAILED")
        assert field in json.dumps(problem), (body, problem)
    assert prefs(api, user) == before  # bad input changed nothing
    assert "quiet_hours" not in prefs(api, user, {"clear_quiet_hours": True})
    assert_problem(api.get("/v1/notification-preferences"), 401)


def test_sms_and_email_arrive_in_the_users_language(api, clinic):  # noqa: F811
    patient = patient_with_phone(api)
    prefs(api, patient, {"locale": "hi"})
    slot = later_slots(api, clinic["practitioner"]["id"])[0]
    assert book(api, patient, clinic["practitioner"], slot).status_code == 201
    items = wait_for(lambda: inbox(api, patient)["items"])
    assert items[0]["title"] == "आपकी अपॉइंटमेंट की पुष्टि हो गई है"
    mail = wait_for(lambda: mails(patient.email))
    assert mail[0]["subject"] == "आपकी अपॉइंटमेंट की पुष्टि हो गई है"
    assert "<html>" in mail[0]["html"] and "HealthTech ऐप" in mail[0]["html"]
    texts = wait_for(lambda: sms(patient.phone))
    assert len(texts) == 1 and "अपॉइंटमेंट" in texts[0]["text"], texts
    assert texts[0]["template_id"] == "1107170000000000001"  # the booked template's DLT id
    assert texts[0]["sender"] == "HLTHTK"
    assert len(texts[0]["text"]) <= 3 * 67  # Unicode SMS, at most three parts
    # The provider saw our API key on every request.
    sent = requests.get(f"{SMS_SINK}/requests", timeout=5).json()["items"]
    assert all(r["headers_ok"] for r in sent if (r["body"] or {}).get("to") == patient.phone)
    # The development outbox shows SMS by number too.
    out = api.outbox(patient.phone)
    assert [m["channel"] for m in out] == ["sms"] and out[0]["body"] == texts[0]["text"]


def test_opt_outs_and_quiet_hours_hold_messages_but_not_security_ones(api, clinic, db):  # noqa: F811
    # Email off for appointments: the inbox still gets it, the mailbox does not.
    a = patient_with_phone(api)
    prefs(api, a, {"categories": [{"category": "appointments", "email": False, "sms": False}]})
    slot = later_slots(api, clinic["practitioner"]["id"])[0]
    assert book(api, a, clinic["practitioner"], slot).status_code == 201
    assert wait_for(lambda: inbox(api, a)["items"])
    assert wait_for(lambda: deliveries(db, a.id, "email") == "suppressed")
    assert deliveries(db, a.id, "sms") == "suppressed"
    time.sleep(1)
    assert mails(a.email) == [] and sms(a.phone) == []

    # Quiet hours now (in the user's zone): email waits, in-app does not; a password reset
    # (security) goes out at once; clearing the quiet hours releases the waiting email.
    b = patient_with_phone(api)
    now = dt.datetime.now(ZoneInfo("Asia/Kolkata"))
    quiet = {"start_local": (now - dt.timedelta(hours=1)).strftime("%H:%M"),
             "end_local": (now + dt.timedelta(hours=1)).strftime("%H:%M"), "timezone": "Asia/Kolkata"}
    prefs(api, b, {"quiet_hours": quiet, "categories": [{"category": "appointments", "sms": False}]})
    slot = later_slots(api, clinic["practitioner"]["id"])[1]
    assert book(api, b, clinic["practitioner"], slot).status_code == 201
    assert wait_for(lambda: inbox(api, b)["items"])
    assert wait_for(lambda: deliveries(db, b.id, "email") == "deferred")
    ends = db(f"SELECT next_attempt_at > now() + interval '50 minutes' FROM notification.deliveries "
              f"WHERE user_id = '{b.id}' AND channel = 'email' AND event_type = 'appointment.booked'")
    assert ends == "t"  # waits for the end of the quiet hours
    assert api.post("/v1/auth/password/forgot", {"email": b.email}).status_code == 202
    assert api.last_token(b.email, "reset-password")
    assert [m for m in mails(b.email) if "appointment" in m["subject"]] == []  # still waiting
    prefs(api, b, {"clear_quiet_hours": True})
    got = wait_for(lambda: [m["subject"] for m in mails(b.email) if "appointment" in m["subject"]])
    assert got == ["Your appointment is confirmed"]


def restart(pid_file, cmdline):
    log = open(os.path.join(os.environ["HEALTHTECH_DATA"], "logs", "smtp-sink.log"), "a")
    proc = subprocess.Popen(cmdline, stdout=log, stderr=log, start_new_session=True)
    with open(pid_file, "w") as f:
        f.write(str(proc.pid))
    def up():
        try:
            return requests.get(f"{SMTP_SINK}/messages", timeout=2).ok
        except requests.ConnectionError:
            return False
    assert wait_for(up, timeout=10)


def test_an_smtp_outage_is_retried_until_the_mail_is_delivered(api, clinic, db):  # noqa: F811
    patient = patient_with_phone(api)
    pid_file = os.path.join(os.environ["HEALTHTECH_DATA"], "run", "smtp-sink.pid")
    pid = int(open(pid_file).read())
    cmdline = open(f"/proc/{pid}/cmdline").read().split("\0")[:-1]
    os.kill(pid, signal.SIGTERM)
    try:
        assert wait_for(lambda: process_gone(pid))
        slot = later_slots(api, clinic["practitioner"]["id"])[0]
        assert book(api, patient, clinic["practitioner"], slot).status_code == 201
        failed = wait_for(lambda: db(
            "SELECT count(*) FROM notification.delivery_attempts a JOIN notification.deliveries d ON "
            f"d.id = a.delivery_id WHERE d.user_id = '{patient.id}' AND d.channel = 'email' "
            "AND d.event_type = 'appointment.booked' AND a.status = 'failed'") not in ("0", None), timeout=15)
        assert failed, "no failed attempt was recorded while the SMTP server was down"
    finally:
        restart(pid_file, cmdline)
    got = wait_for(lambda: mails(patient.email), timeout=30)
    assert [m["subject"] for m in got] == ["Your appointment is confirmed"]
    history = db("SELECT string_agg(a.status || '/' || a.provider, ',' ORDER BY a.attempt) FROM "
                 "notification.delivery_attempts a JOIN notification.deliveries d ON d.id = a.delivery_id "
                 f"WHERE d.user_id = '{patient.id}' AND d.channel = 'email' AND d.event_type = 'appointment.booked'")
    assert history.startswith("failed/smtp") and history.endswith("sent/smtp"), history
    assert db(f"SELECT provider_message_id FROM notification.deliveries WHERE user_id = '{patient.id}' "
              "AND channel = 'email' AND event_type = 'appointment.booked'") == got[0]["message_id"]


def circuit_open():
    ports = dict(p.split("=") for p in os.environ["SERVICE_ADMIN_PORTS"].strip(",").split(","))
    text = requests.get(f"http://127.0.0.1:{ports['notification']}/metrics", timeout=5).text
    m = re.search(r'^notification_provider_circuit_open\{provider="msg91"\} (\S+)$', text, re.M)
    return float(m.group(1)) if m else None


def test_failed_sms_trips_the_breaker_and_admins_retry_it(api, clinic, admin):  # noqa: F811
    patient = patient_with_phone(api)
    sms_failures("transient")
    try:
        slot = later_slots(api, clinic["practitioner"]["id"])[0]
        assert book(api, patient, clinic["practitioner"], slot).status_code == 201

        def failed():
            r = api.get("/v1/admin/notifications/failed", params={"channel": "sms"}, token=admin.access)
            assert r.status_code == 200, r.text
            return [m for m in r.json()["items"] if m["recipient"] == patient.phone]
        items = wait_for(failed, timeout=40)
        assert len(items) == 1, "the SMS never failed for good"
        msg = items[0]
        assert msg["status"] == "failed" and msg["channel"] == "sms" and msg["event_type"] == "appointment.booked"
        assert len(msg["attempts"]) == 4  # DELIVERY_MAX_ATTEMPTS in the test stack
        assert all(a["status"] == "failed" and a["provider"] == "msg91" and "503" in a["error"]
                   for a in msg["attempts"])
        gaps = [a["at"] for a in msg["attempts"]]
        assert gaps == sorted(gaps) and gaps[-1] > gaps[0]  # spread out by backoff
        assert circuit_open() == 1  # the provider kept failing
        assert wait_for(lambda: mails(patient.email))  # email was not affected
        # Only platform admins see or retry.
        assert_problem(api.get("/v1/admin/notifications/failed", token=patient.access), 403)
        assert_problem(api.post(f"/v1/admin/notifications/{msg['id']}/retry", token=patient.access), 403)
    finally:
        sms_failures("none")
    r = api.post(f"/v1/admin/notifications/{msg['id']}/retry", token=admin.access)
    assert r.status_code == 200 and r.json()["status"] == "queued", r.text
    assert wait_for(lambda: sms(patient.phone), timeout=20)
    assert wait_for(lambda: circuit_open() == 0)
    assert failed() == []
    assert_problem(api.post(f"/v1/admin/notifications/{msg['id']}/retry", token=admin.access), 409,
                   "DELIVERY_NOT_FAILED")
    assert_problem(api.post(f"/v1/admin/notifications/{uuid.uuid4()}/retry", token=admin.access), 404)


def test_an_urgent_sms_that_cannot_go_out_falls_back_to_email(api, clinic, db):  # noqa: F811
    patient = patient_with_phone(api)
    prefs(api, patient, {"categories": [{"category": "appointments", "email": False}]})  # SMS only
    sms_failures("permanent")
    try:
        slot = later_slots(api, clinic["practitioner"]["id"])[0]
        assert book(api, patient, clinic["practitioner"], slot).status_code == 201
        event = booked_event(patient)
        assert wait_for(lambda: deliveries(db, patient.id, "sms") == "failed")
        # The reminder an hour before is urgent: its SMS is refused, so the email goes.
        xadd("healthtech:events:appointment", "appointment.reminder_due", dict(event, lead="1h"))
        got = wait_for(lambda: mails(patient.email))
        assert [m["subject"] for m in got] == ["Reminder: your appointment is in one hour"]
    finally:
        sms_failures("none")
    assert wait_for(lambda: deliveries(db, patient.id, "email") == "suppressed,sent")
    assert deliveries(db, patient.id, "sms") == "failed,failed"


def test_sms_per_user_hourly_cap(api, clinic, db):  # noqa: F811
    patient = patient_with_phone(api)
    slot = later_slots(api, clinic["practitioner"]["id"])[0]
    assert book(api, patient, clinic["practitioner"], slot).status_code == 201
    event = booked_event(patient)
    assert wait_for(lambda: len(sms(patient.phone)) == 1)
    for _ in range(3):  # three more events: the cap (3 an hour in the test stack) stops the last
        xadd("healthtech:events:appointment", "appointment.rescheduled", event)
    assert wait_for(lambda: deliveries(db, patient.id, "sms").count(",") == 3 and
                    "pending" not in deliveries(db, patient.id, "sms"))
    assert sorted(deliveries(db, patient.id, "sms").split(",")) == ["sent", "sent", "sent", "suppressed"]
    assert len(sms(patient.phone)) == 3
    # Email is not capped.
    assert wait_for(lambda: len(mails(patient.email)) == 4)


def test_account_organization_and_forum_messages(api, verified_org, db):
    owner = verified_org["owner"]
    org = verified_org["org"]
    # The organization's admin hears about the verification decision.
    got = wait_for(lambda: [n for n in inbox(api, owner)["items"] if n["type"] == "organization.verified"])
    assert got and got[0]["category"] == "account" and org["legal_name"] in got[0]["title"]
    assert wait_for(lambda: [m for m in mails(owner.email) if m["subject"] == f"{org['legal_name']} is verified"])
    # A password change is a security message, sent by email at once.
    r = api.post("/v1/me/password", {"current_password": owner.password, "new_password": "another good passphrase"},
                 token=owner.access)
    assert r.status_code == 200, r.text
    owner.password = "another good passphrase"
    api.login(owner)
    assert wait_for(lambda: [m for m in mails(owner.email) if m["subject"] == "Your HealthTech password was changed"])
    # A reply in a followed thread (the forum publishes follower ids; titles are user input).
    thread = str(uuid.uuid4())
    title = '<script>alert("x")</script> Fasting sugar levels'
    xadd("healthtech:events:forum", "forum.reply_created",
         {"thread_id": thread, "thread_title": title, "post_id": str(uuid.uuid4()), "parent_post_id": None,
          "author_id": str(uuid.uuid4()), "author_display_name": "Dr. Rao", "category_id": str(uuid.uuid4()),
          "follower_ids": [owner.id], "created_at": "2026-11-27T05:00:00Z"})
    n = wait_for(lambda: [x for x in inbox(api, owner)["items"] if x["type"] == "forum.reply_created"])
    assert n and n[0]["title"] == f'New reply in "{title}"' and f"/forum/threads/{thread}#post-" in n[0]["link"]
    mail = wait_for(lambda: [m for m in mails(owner.email) if "New reply" in m["subject"]])
    assert "<script>" not in mail[0]["html"] and "&lt;script&gt;" in mail[0]["html"]
    xadd("healthtech:events:forum", "forum.moderation_action",
         {"action": "hide", "post_id": str(uuid.uuid4()), "thread_id": thread, "target_user_id": owner.id,
          "moderator_id": str(uuid.uuid4()), "reason": "medical misinformation", "until": None, "at": "x"})
    n = wait_for(lambda: [x for x in inbox(api, owner)["items"] if x["type"] == "forum.moderation_action"])
    assert n and "hide" in n[0]["body"] and "medical misinformation" in n[0]["body"]


def test_a_sign_in_from_a_new_device_is_reported_even_to_those_who_opted_out(api, user, db):
    """The first device an account signs in from is its own; a later sign-in from a browser
    it never used sends a security email (ignoring opt-outs and quiet hours) and an in-app
    notice; the same browser after an update is not new."""
    subject = "New sign-in to your HealthTech account"
    now = dt.datetime.now(dt.timezone.utc)
    prefs(api, user, {"categories": [{"category": c, "email": False, "in_app": False}
                                     for c in ("appointments", "payments", "forum")],
                      "quiet_hours": {"start_local": (now - dt.timedelta(hours=1)).strftime("%H:%M"),
                                      "end_local": (now + dt.timedelta(hours=1)).strftime("%H:%M"),
                                      "timezone": "UTC"}})
    api.login(user)  # the same client again: nothing
    firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"
    for version in (121, 122):  # an update of the browser is the same device
        r = api.post("/v1/auth/login", {"email": user.email, "password": user.password},
                     headers={"User-Agent": firefox.format(v=version)})
        assert r.status_code == 200, r.text
    got = wait_for(lambda: [m for m in mails(user.email) if m["subject"] == subject])
    assert got and "Firefox on Windows" in got[0]["body"] and "/forgot-password" in got[0]["body"]
    n = wait_for(lambda: [x for x in inbox(api, user)["items"] if x["type"] == "user.new_sign_in"])
    assert n[0]["category"] == "account" and "Firefox on Windows" in n[0]["body"]
    time.sleep(1)
    assert len([m for m in mails(user.email) if m["subject"] == subject]) == 1
    assert db(f"SELECT count(*) FROM iam.sign_in_devices WHERE user_id = '{user.id}'") == "2"


def test_reminders_follow_the_appointment_and_never_go_out_for_a_cancelled_one(api, clinic, db):  # noqa: F811
    patient = patient_with_phone(api)
    free = later_slots(api, clinic["practitioner"]["id"])
    kept = book(api, patient, clinic["practitioner"], free[0]).json()
    moved = book(api, patient, clinic["practitioner"], free[1]).json()
    dropped = book(api, patient, clinic["practitioner"], free[2]).json()

    def reminders(appointment):
        return db("SELECT string_agg(kind || '@' || to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
                  f"',' ORDER BY kind) FROM appointment.reminders WHERE appointment_id = '{appointment['id']}' "
                  "AND sent_at IS NULL") or ""
    start = dt.datetime.fromisoformat(free[1]["start"].replace("Z", "+00:00"))
    r = api.post(f"/v1/appointments/{moved['id']}/reschedule", {"start": free[5]["start"]}, token=patient.access, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 200, r.text
    new_start = dt.datetime.fromisoformat(free[5]["start"].replace("Z", "+00:00"))
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    assert reminders(moved) == (f"1h@{(new_start - dt.timedelta(hours=1)).strftime(fmt)},"
                                f"24h@{(new_start - dt.timedelta(hours=24)).strftime(fmt)}"), start
    assert api.post(f"/v1/appointments/{dropped['id']}/cancel", {"reason": "better now"},
                    token=patient.access).status_code == 200
    assert reminders(dropped) == ""  # nothing left to go out
    # Make every reminder of the three due now: only the booked ones produce messages.
    db("UPDATE appointment.reminders SET due_at = now() - interval '1 second' WHERE appointment_id IN "
       f"('{kept['id']}', '{moved['id']}', '{dropped['id']}') AND kind = '24h'")
    got = wait_for(lambda: len([n for n in inbox(api, patient)["items"] if n["type"] == "appointment.reminder_due"]) == 2)
    assert got, inbox(api, patient)["items"]
    time.sleep(1)
    due = [n for n in inbox(api, patient)["items"] if n["type"] == "appointment.reminder_due"]
    assert sorted(n["link"].rsplit("/", 1)[1] for n in due) == sorted([kept["id"], moved["id"]])
    assert all(n["title"] == "Reminder: your appointment is tomorrow" for n in due)
    # By email too (the SMS are over the test stack's hourly cap by now, and urgent ones fall
    # back to email).
    assert wait_for(lambda: len([m for m in mails(patient.email)
                                 if m["subject"] == "Reminder: your appointment is tomorrow"]) == 2)


def test_notification_service_down_for_a_while_loses_nothing(api, clinic):  # noqa: F811
    """Events published while the service is stopped wait in the stream (consumer group);
    when it returns, every pending message goes out once."""
    patient = patient_with_phone(api)
    pid_file = os.path.join(os.environ["HEALTHTECH_DATA"], "run", "notification.pid")
    pid = int(open(pid_file).read())
    cmdline = open(f"/proc/{pid}/cmdline").read().split("\0")[:-1]
    environ = dict(kv.split("=", 1) for kv in open(f"/proc/{pid}/environ").read().split("\0") if "=" in kv)
    os.kill(pid, signal.SIGTERM)
    try:
        assert wait_for(lambda: process_gone(pid))
        free = later_slots(api, clinic["practitioner"]["id"])
        for slot in free[:2]:
            assert book(api, patient, clinic["practitioner"], slot).status_code == 201
        time.sleep(1)
        # The inbox is served by the stopped service: a clear 503, not a hang.
        assert_problem(api.get("/v1/notifications", token=patient.access), 503)
    finally:
        new_pid = restart_supervised("notification", cmdline, environ)
    got = wait_for(lambda: len(mails(patient.email)) == 2, timeout=30)
    assert got, mails(patient.email)
    assert process_alive(new_pid), "the restarted notification-service exited"
    ports = dict(p.split("=") for p in os.environ["SERVICE_GRPC_PORTS"].strip(",").split(","))
    ch = grpc.insecure_channel(f"127.0.0.1:{ports['notification']}")
    assert ch.unary_unary("/grpc.health.v1.Health/Check")(b"", timeout=10) == b"\x08\x01"  # SERVING
    ch.close()
    assert wait_for(lambda: api.get("/v1/notifications", token=patient.access).status_code == 200)
    assert len(inbox(api, patient)["items"]) == 2
    assert len(sms(patient.phone)) == 2


def test_a_poison_event_is_dead_lettered_and_blocks_nothing(api, clinic):  # noqa: F811
    """An event whose handling keeps failing (here: a start time that is not a time) is
    retried, then acknowledged unhandled after EVENT_MAX_DELIVERIES (3 in tests), logged and
    counted; events after it are handled normally."""
    patient = patient_with_phone(api)
    slot = later_slots(api, clinic["practitioner"]["id"])[0]
    assert book(api, patient, clinic["practitioner"], slot).status_code == 201
    event = booked_event(patient)

    def dead_lettered():
        ports = dict(p.split("=") for p in os.environ["SERVICE_ADMIN_PORTS"].strip(",").split(","))
        text = requests.get(f"http://127.0.0.1:{ports['notification']}/metrics", timeout=5).text
        m = re.search(r'^notification_events_dead_lettered_total\{stream="healthtech:events:appointment"\} (\S+)$',
                      text, re.M)
        return float(m.group(1)) if m else 0.0
    before = dead_lettered()
    xadd("healthtech:events:appointment", "appointment.rescheduled", dict(event, start="not a time"))
    xadd("healthtech:events:appointment", "appointment.cancelled", event)
    # The good event after it goes through at once...
    assert wait_for(lambda: [n for n in inbox(api, patient)["items"] if n["type"] == "appointment.cancelled"])
    # ...and the bad one is given up on after a few tries, leaving nothing pending.
    assert wait_for(lambda: dead_lettered() == before + 1, timeout=30)
    out = subprocess.run(["redis-cli", "-p", os.environ["REDIS_PORT"], "XPENDING", "healthtech:events:appointment",
                          "notification-service"], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[0] == "0", out
    assert [n["type"] for n in inbox(api, patient)["items"]].count("appointment.rescheduled") == 0


def test_waitlist_offer_and_refund_messages_in_hindi(api):
    patient = patient_with_phone(api)
    prefs(api, patient, {"locale": "hi", "categories": [{"category": "payments", "sms": True}]})
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    xadd("healthtech:events:appointment", "waitlist.offered",
         {"waitlist_entry_id": str(uuid.uuid4()), "patient_id": patient.id, "practitioner_id": str(uuid.uuid4()),
          "facility_id": str(uuid.uuid4()), "mode": "in_person", "timezone": "Asia/Kolkata",
          "slot_start": soon.strftime("%Y-%m-%dT%H:%M:%SZ"),
          "slot_end": (soon + dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
          "offer_expires_at": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M:%SZ")})
    n = wait_for(lambda: [x for x in inbox(api, patient)["items"] if x["type"] == "waitlist.offered"])
    assert n[0]["title"] == "आपके लिए एक समय उपलब्ध है"
    local = soon.astimezone(ZoneInfo("Asia/Kolkata")).strftime("%H:%M")
    assert local in n[0]["body"]  # shown in the clinic's zone
    payment = str(uuid.uuid4())
    xadd("healthtech:events:payment", "refund.processed",
         {"refund_id": str(uuid.uuid4()), "payment_id": payment, "payer_id": patient.id,
          "amount": {"amount_minor": 75000, "currency": "INR"}, "initiated_by": "org_admin"})
    got = wait_for(lambda: [m for m in mails(patient.email) if m["subject"] == "रिफ़ंड हो गया है"])
    assert "INR 750.00" in got[0]["body"] and f"/payments/{payment}" in got[0]["body"]
    texts = wait_for(lambda: len(sms(patient.phone)) == 2 and sms(patient.phone))
    assert any("INR 750.00" in t["text"] for t in texts)


def test_redis_down_for_a_while_loses_nothing(api, clinic):  # noqa: F811
    """With Redis stopped, bookings still commit (their events wait in the appointment
    service's outbox table); when Redis returns the relay publishes them, the consumer
    delivers them, and open WebSocket sessions are told to resync."""
    import websocket
    patient = patient_with_phone(api)
    ws = websocket.create_connection(api.base.replace("http://", "ws://") + "/ws", timeout=10)
    ws.send(json.dumps({"type": "auth", "access_token": patient.access}))
    assert json.loads(ws.recv())["type"] == "ready"
    port = os.environ["REDIS_PORT"]
    pid = int(subprocess.run(["redis-cli", "-p", port, "INFO", "server"], capture_output=True,
                             text=True).stdout.split("process_id:")[1].split()[0])
    subprocess.run(["redis-cli", "-p", port, "SHUTDOWN"], capture_output=True)
    try:
        assert wait_for(lambda: process_gone(pid))
        slot = later_slots(api, clinic["practitioner"]["id"])[0]
        r = book(api, patient, clinic["practitioner"], slot)
        assert r.status_code == 201, r.text
        time.sleep(2)
        assert mails(patient.email) == []  # nothing could travel yet
    finally:
        out = subprocess.run([os.environ["HEALTHTECH_CLI"], "_redis-start"], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert wait_for(lambda: subprocess.run(["redis-cli", "-p", port, "PING"], capture_output=True,
                                               text=True).stdout.strip() == "PONG")
    got = wait_for(lambda: mails(patient.email), timeout=30)
    assert [m["subject"] for m in got] == ["Your appointment is confirmed"]
    assert wait_for(lambda: len(inbox(api, patient)["items"]) == 1)
    frames = []
    deadline = time.time() + 15
    while time.time() < deadline and not any(f["type"] == "resync" for f in frames):
        ws.settimeout(max(0.1, deadline - time.time()))
        try:
            frames.append(json.loads(ws.recv()))
        except websocket.WebSocketTimeoutException:
            break
    assert any(f["type"] == "resync" for f in frames), frames
    ws.close()


def test_a_reply_in_a_followed_forum_thread_reaches_the_follower_in_real_time(api, admin):
    """The real forum service publishes forum.reply_created; the thread's author (who follows
    it) gets an in-app notification on the WebSocket and an email; the replier gets nothing."""
    import websocket
    from test_forum import category, member, reply, thread
    author, replier = member(api, "Asha Author"), member(api, "Rita Replier")
    t = thread(api, author, category(api, admin), title="Is 110 mg/dL fasting sugar high?")
    ws = websocket.create_connection(api.base.replace("http://", "ws://") + "/ws", timeout=10)
    ws.send(json.dumps({"type": "auth", "access_token": author.access}))
    assert json.loads(ws.recv())["type"] == "ready"
    post = reply(api, replier, t["id"], "Slightly above normal; ask your doctor about an HbA1c test.")
    frame = json.loads(ws.recv())
    while frame["type"] != "notification":
        frame = json.loads(ws.recv())
    ws.close()
    n = frame["notification"]
    assert n["type"] == "forum.reply_created" and n["category"] == "forum"
    assert n["title"] == 'New reply in "Is 110 mg/dL fasting sugar high?"'
    assert "Rita Replier" in n["body"] and n["link"].endswith(f"/forum/threads/{t['id']}#post-{post['id']}")
    assert wait_for(lambda: [m for m in mails(author.email) if m["subject"].startswith("New reply")])
    time.sleep(0.5)
    assert [x for x in inbox(api, replier)["items"] if x["type"] == "forum.reply_created"] == []


def test_entries_of_a_dead_consumer_are_taken_over_and_the_consumer_removed(api, clinic):  # noqa: F811
    """A consumer that read an event and died before acknowledging it (kill -9) holds it in
    the group: a living consumer claims it after EVENT_CLAIM_IDLE_MS and delivers it, and
    the dead name leaves the group once it has nothing pending (issue 12, item 15)."""
    patient = patient_with_phone(api)
    slot = later_slots(api, clinic["practitioner"]["id"])[0]
    assert book(api, patient, clinic["practitioner"], slot).status_code == 201
    event = booked_event(patient)
    assert wait_for(lambda: [n for n in inbox(api, patient)["items"] if n["type"] == "appointment.booked"])
    port, stream, group = os.environ["REDIS_PORT"], "healthtech:events:appointment", "notification-service"
    ghost = f"notification-ghost-{uuid.uuid4().hex[:8]}"
    payload = json.dumps(dict(event, reason="moved by the clinic"))
    # Publish and take it as the ghost in one transaction, so no living consumer sees it first.
    occurred = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    script = (f"MULTI\nXADD {stream} * id {uuid.uuid4()} type appointment.cancelled source appointment "
              f"aggregate_id {event['appointment_id']} occurred_at {occurred} payload {json.dumps(payload)}\n"
              f"XREADGROUP GROUP {group} {ghost} COUNT 1 STREAMS {stream} >\nEXEC\n")
    out = subprocess.run(["redis-cli", "-p", port], input=script, capture_output=True, text=True, check=True).stdout
    assert "appointment.cancelled" in out, out

    def consumers():
        raw = subprocess.run(["redis-cli", "-p", port, "--raw", "XINFO", "CONSUMERS", stream, group],
                             capture_output=True, text=True, check=True).stdout.splitlines()
        return [raw[i + 1] for i, line in enumerate(raw[:-1]) if line == "name"]
    assert ghost in consumers()
    assert wait_for(lambda: [n for n in inbox(api, patient)["items"] if n["type"] == "appointment.cancelled"],
                    timeout=30), "the dead consumer's event was never delivered"
    assert wait_for(lambda: ghost not in consumers(), timeout=30), consumers()
