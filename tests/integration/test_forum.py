"""Discussion forum through the REST API (issue 6): categories, threads and reply trees,
votes, accepted answers, follows and their events, Markdown sanitizing, private
consultations, moderation (flags, queue, lock, pin, suspensions, watched words, first-post
approval, slow mode), trust levels and full-text search."""
import json
from html.parser import HTMLParser
import time
import uuid

import pytest

from conftest import assert_problem, make_practitioner, stream_entries, verified_org  # noqa: F401 - fixture

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(document.cookie))",
    "[click](javascript&#58;alert(1))",
    "![x](javascript:alert(1))",
    "![x\" onerror=\"alert(1)](http://example.com/a.png)",
    "<a href=\"javascript:alert(1)\" onclick=\"alert(2)\">x</a>",
    "<body onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<details open ontoggle=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
]


ALLOWED_TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "del", "pre",
                "code", "blockquote", "ul", "ol", "li", "a", "img"}
ALLOWED_ATTRS = {"href", "title", "src", "alt", "rel", "class", "start", "loading", "referrerpolicy"}


class _Tags(HTMLParser):
    """Parses HTML the way a browser would and records every element and attribute."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


def assert_harmless(html, payload):
    parser = _Tags()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, (payload, html)
        for name, value in attrs:
            assert name in ALLOWED_ATTRS, (payload, html)
            if name in ("href", "src"):
                v = (value or "").strip().lower()
                assert v.startswith(("http://", "https://", "mailto:", "/", "#")), (payload, html)


def uniq():
    return "zq" + uuid.uuid4().hex[:10]


def member(api, name="Forum Member"):
    u = api.register(name=name)
    api.login(u)
    return u


@pytest.fixture
def moderator(api, admin):
    u = api.register(name="Mod Erator")
    r = api.post(f"/v1/admin/users/{u.id}/roles", {"role": "moderator"}, token=admin.access)
    assert r.status_code == 200, r.text
    api.login(u)
    return u


def all_pages(api, path, token=None, **params):
    """Every item of a list, following next_page_token."""
    items, page_token = [], None
    while True:
        body = api.get(path, token=token, params={**params, "limit": 100,
                                                  **({"page_token": page_token} if page_token else {})}).json()
        items += body["items"]
        page_token = body.get("next_page_token")
        if not page_token:
            return items


def category(api, admin, **rules):
    name = "Cat " + uuid.uuid4().hex[:8]
    r = api.post("/v1/forum/categories", {"name": name, "description": "For tests", "rules": rules},
                 token=admin.access)
    assert r.status_code == 201, r.text
    return r.json()


def thread(api, user, cat, title=None, body="What should I eat before a fasting blood test?", tags=None):
    r = api.post("/v1/forum/threads", {"category_id": cat["id"], "title": title or f"Question {uniq()}",
                                       "body": body, "tags": tags or []}, token=user.access)
    assert r.status_code == 201, r.text
    return r.json()


def reply(api, user, thread_id, body="A reply", parent=None, status=201):
    body_json = {"body": body}
    if parent:
        body_json["parent_post_id"] = parent
    r = api.post(f"/v1/forum/threads/{thread_id}/posts", body_json, token=user.access)
    assert r.status_code == status, r.text
    return r.json()


def view(api, thread_id, user=None, **params):
    r = api.get(f"/v1/forum/threads/{thread_id}", token=user.access if user else None, params=params)
    return r


def search(api, q, user=None, **params):
    r = api.get("/v1/forum/search", params={"q": q, **params}, token=user.access if user else None)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def stream_events(event_type):
    return [json.loads(e["payload"]) for _, e in stream_entries("healthtech:events:forum") if e.get("type") == event_type]


def wait_for(fn, timeout=15):
    deadline = time.time() + timeout
    while True:
        value = fn()
        if value or time.time() > deadline:
            return value
        time.sleep(0.2)


# ---------------------------------------------------------------- categories

def test_categories_are_created_by_platform_admins_and_listed_for_all(api, admin, user):
    cat = category(api, admin, who_can_post="everyone", first_post_approval=True, slow_mode_seconds=30)
    assert cat["slug"].startswith("cat-")
    assert cat["rules"] == {"who_can_post": "everyone", "first_post_approval": True, "slow_mode_seconds": 30}
    listed = all_pages(api, "/v1/forum/categories")
    assert cat["id"] in [c["id"] for c in listed]
    assert {"general-health", "diabetes", "mental-health", "pediatrics"} <= {c["slug"] for c in listed}
    assert_problem(api.post("/v1/forum/categories", {"name": cat["name"]}, token=admin.access), 409,
                   "CATEGORY_EXISTS")
    assert_problem(api.post("/v1/forum/categories", {"name": "Mine"}, token=user.access), 403,
                   "FORBIDDEN")
    assert_problem(api.post("/v1/forum/categories", {"name": "x"}, token=admin.access), 400, "VALIDATION_FAILED")
    assert_problem(api.post("/v1/forum/categories", {"name": "Anon"}), 401)
    # Rules are off by default.
    plain = category(api, admin)
    assert plain["rules"]["who_can_post"] == "everyone"
    assert not plain["rules"].get("first_post_approval") and not plain["rules"].get("slow_mode_seconds")


# ---------------------------------------------------------------- threads, replies, votes

def test_thread_with_nested_replies_in_tree_order(api, admin, user):
    cat = category(api, admin)
    t = thread(api, user, cat, tags=["Fasting", "blood-test"])
    assert t["tags"] == ["fasting", "blood-test"] and t["following"] is True
    assert t["opening_post"]["depth"] == 0 and "<p>" in t["opening_post"]["body_html"]
    b, c = member(api, "Bina"), member(api, "Chandra")
    r1 = reply(api, b, t["id"], "First top-level reply")
    r2 = reply(api, c, t["id"], "Second top-level reply")
    r1a = reply(api, c, t["id"], "Nested under the first", parent=r1["id"])
    r1a1 = reply(api, user, t["id"], "Deeper still", parent=r1a["id"])
    assert r1["depth"] == 1 and "parent_post_id" not in r1
    assert r1a["depth"] == 2 and r1a["parent_post_id"] == r1["id"]
    body = view(api, t["id"]).json()
    assert [p["id"] for p in body["items"]] == [r1["id"], r1a["id"], r1a1["id"], r2["id"]]
    assert [p["depth"] for p in body["items"]] == [1, 2, 3, 1]
    assert body["thread"]["reply_count"] == 4
    assert body["thread"]["opening_post"]["reply_count"] == 2
    assert body["items"][0]["reply_count"] == 1 and body["items"][0]["author_display_name"] == "Bina"
    # Long threads page by top-level replies, each with its whole subtree.
    page1 = view(api, t["id"], limit=1).json()
    assert [p["id"] for p in page1["items"]] == [r1["id"], r1a["id"], r1a1["id"]]
    page2 = view(api, t["id"], limit=1, page_token=page1["next_page_token"]).json()
    assert [p["id"] for p in page2["items"]] == [r2["id"]] and "next_page_token" not in page2
    assert_problem(view(api, t["id"], page_token="bogus"), 400)
    # Failure paths.
    assert_problem(api.post(f"/v1/forum/threads/{t['id']}/posts", {"body": "x", "parent_post_id": str(uuid.uuid4())},
                            token=b.access), 404, "PARENT_POST_NOT_FOUND")
    assert_problem(api.post(f"/v1/forum/threads/{t['id']}/posts", {"body": "   "}, token=b.access), 400)
    assert_problem(api.post(f"/v1/forum/threads/{t['id']}/posts", {"body": "x" * 20001}, token=b.access), 400)
    assert_problem(api.post(f"/v1/forum/threads/{uuid.uuid4()}/posts", {"body": "x"}, token=b.access), 404,
                   "THREAD_NOT_FOUND")
    assert_problem(api.post(f"/v1/forum/threads/{t['id']}/posts", {"body": "x"}), 401)
    assert_problem(view(api, str(uuid.uuid4())), 404, "THREAD_NOT_FOUND")


def test_thread_validation(api, admin, user):
    cat = category(api, admin)
    for body, field in (({"category_id": cat["id"], "title": "Hi", "body": "text"}, "title"),
                        ({"category_id": cat["id"], "title": "A fine title", "body": ""}, "body"),
                        ({"category_id": cat["id"], "title": "A fine title", "body": "x" * 20001}, "body"),
                        ({"category_id": cat["id"], "title": "A fine title", "body": "ok",
                          "tags": ["a", "b", "c", "d", "e", "f"]}, "tags"),
                        ({"category_id": cat["id"], "title": "A fine title", "body": "ok", "tags": ["no spaces"]},
                         "tags"),
                        ({"category_id": "nope", "title": "A fine title", "body": "ok"}, "category_id")):
        p = assert_problem(api.post("/v1/forum/threads", body, token=user.access), 400, "VALIDATION_FAILED")
        assert field in [e["field"] for e in p["errors"]], p
    assert_problem(api.post("/v1/forum/threads", {"category_id": str(uuid.uuid4()), "title": "A fine title",
                                                  "body": "ok"}, token=user.access), 404, "CATEGORY_NOT_FOUND")
    # The client cannot send a badge: it is not part of the request.
    assert_problem(api.post("/v1/forum/threads", {"category_id": cat["id"], "title": "A fine title",
                                                  "body": "ok", "badge": {"verified_practitioner": True}},
                            token=user.access), 400)


def test_lists_sort_filter_and_paginate(api, admin, user):
    cat = category(api, admin)
    tag = uniq()
    t1 = thread(api, user, cat, tags=[tag])
    t2 = thread(api, user, cat)
    t3 = thread(api, user, cat, tags=[tag])
    voter = member(api)
    assert api.call("PUT", f"/v1/forum/posts/{t2['opening_post']['id']}/vote", {"value": 1},
                    token=voter.access).status_code == 200
    reply(api, voter, t1["id"])  # t1 becomes the latest activity and is answered
    latest = api.get("/v1/forum/threads", params={"category_id": cat["id"]}).json()["items"]
    assert [t["id"] for t in latest] == [t1["id"], t3["id"], t2["id"]]
    top = api.get("/v1/forum/threads", params={"category_id": cat["id"], "sort": "top"}).json()["items"]
    assert top[0]["id"] == t2["id"] and top[0]["vote_score"] == 1
    unanswered = api.get("/v1/forum/threads", params={"category_id": cat["id"], "sort": "unanswered"}).json()["items"]
    assert {t["id"] for t in unanswered} == {t2["id"], t3["id"]}
    tagged = api.get("/v1/forum/threads", params={"tag": tag}).json()["items"]
    assert {t["id"] for t in tagged} == {t1["id"], t3["id"]}
    assert all("opening_post" not in t and t["excerpt"] for t in tagged)
    page = api.get("/v1/forum/threads", params={"category_id": cat["id"], "limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_page_token"]
    rest = api.get("/v1/forum/threads", params={"category_id": cat["id"], "limit": 2,
                                                "page_token": page["next_page_token"]}).json()
    assert [t["id"] for t in rest["items"]] == [t2["id"]] and "next_page_token" not in rest
    assert_problem(api.get("/v1/forum/threads", params={"category_id": "no-such-category"}), 400)
    assert_problem(api.get("/v1/forum/threads", params={"category_id": str(uuid.uuid4())}), 404,
                   "CATEGORY_NOT_FOUND")
    assert_problem(api.get("/v1/forum/threads", params={"sort": "loudest"}), 400)


def test_votes_are_one_per_user_and_changeable(api, admin, user):
    cat = category(api, admin)
    t = thread(api, user, cat)
    post_id = t["opening_post"]["id"]
    a, b = member(api), member(api)
    vote = lambda u, v: api.call("PUT", f"/v1/forum/posts/{post_id}/vote", {"value": v}, token=u.access)
    assert vote(a, 1).json() == {"id": post_id, "vote_score": 1, "my_vote": 1}
    assert vote(a, 1).json()["vote_score"] == 1  # the same vote twice counts once
    assert vote(b, 1).json()["vote_score"] == 2
    assert vote(a, -1).json()["vote_score"] == 0
    assert vote(b, 0).json() == {"id": post_id, "vote_score": -1, "my_vote": 0}
    assert view(api, t["id"], a).json()["thread"]["opening_post"]["my_vote"] == -1
    assert_problem(vote(a, 2), 400, "VALIDATION_FAILED")
    assert_problem(vote(user, 1), 403, "OWN_POST")
    assert_problem(api.call("PUT", f"/v1/forum/posts/{uuid.uuid4()}/vote", {"value": 1}, token=a.access), 404)


def test_accepted_answer_is_chosen_by_the_thread_author(api, admin, user):
    cat = category(api, admin)
    t = thread(api, user, cat)
    other = member(api)
    answer = reply(api, other, t["id"], "Drink water only.")
    url = f"/v1/forum/threads/{t['id']}/accepted-answer"
    assert_problem(api.call("PUT", url, {"post_id": answer["id"]}, token=other.access), 403, "FORBIDDEN")
    assert_problem(api.call("PUT", url, {"post_id": t["opening_post"]["id"]}, token=user.access), 404)
    r = api.call("PUT", url, {"post_id": answer["id"]}, token=user.access)
    assert r.status_code == 200 and r.json()["accepted_post_id"] == answer["id"]
    assert view(api, t["id"]).json()["items"][0]["accepted"] is True
    r = api.call("PUT", url, {"post_id": ""}, token=user.access)
    assert r.status_code == 200 and "accepted_post_id" not in r.json()


def test_edit_within_24h_keeps_history_and_delete_is_soft(api, admin, user, db):
    cat = category(api, admin)
    t = thread(api, user, cat)
    other = member(api)
    r = reply(api, other, t["id"], "Original text")
    e = api.patch(f"/v1/forum/posts/{r['id']}", {"body": "Edited **text**"}, token=other.access)
    assert e.status_code == 200, e.text
    assert "<strong>text</strong>" in e.json()["body_html"] and e.json()["edited_at"]
    assert db(f"SELECT previous_markdown FROM forum.post_edits WHERE post_id = '{r['id']}'") == "Original text"
    assert_problem(api.patch(f"/v1/forum/posts/{r['id']}", {"body": "Mine now"}, token=user.access), 403,
                   "FORBIDDEN")
    assert_problem(api.patch(f"/v1/forum/posts/{r['id']}", {"body": ""}, token=other.access), 400)
    assert api.patch(f"/v1/forum/posts/{r['id']}", {"body": "Third version"}, token=other.access).status_code == 200
    # Earlier versions, newest first, rendered, for the author and moderators only (people
    # edit to take out what identifies them).
    h = api.get(f"/v1/forum/posts/{r['id']}/edits", token=other.access)
    assert h.status_code == 200, h.text
    assert [("<strong>text</strong>" in e["body_html"], "Original text" in e["body_html"]) for e in h.json()["items"]] \
        == [(True, False), (False, True)]
    assert h.json()["items"][0]["edited_at"] >= h.json()["items"][1]["edited_at"]
    assert len(api.get(f"/v1/forum/posts/{r['id']}/edits", token=admin.access).json()["items"]) == 2
    assert_problem(api.get(f"/v1/forum/posts/{r['id']}/edits", token=user.access), 403, "FORBIDDEN")
    assert_problem(api.get(f"/v1/forum/posts/{r['id']}/edits"), 401)
    assert_problem(api.get(f"/v1/forum/posts/{uuid.uuid4()}/edits", token=other.access), 404)
    db(f"UPDATE forum.posts SET created_at = now() - interval '25 hours' WHERE id = '{r['id']}'")
    assert_problem(api.patch(f"/v1/forum/posts/{r['id']}", {"body": "Too late"}, token=other.access), 409,
                   "EDIT_WINDOW_CLOSED")
    assert_problem(api.delete(f"/v1/forum/posts/{r['id']}", token=user.access), 403, "FORBIDDEN")
    d = api.delete(f"/v1/forum/posts/{r['id']}", token=other.access)
    assert d.status_code == 200 and d.json()["status"] == "deleted"
    shown = view(api, t["id"]).json()
    assert shown["items"][0]["status"] == "deleted"
    assert shown["items"][0].get("body_markdown", "") == "" and shown["items"][0].get("body_html", "") == ""
    assert shown["thread"]["reply_count"] == 0
    # What the author took back stays taken back, from the author too; moderators still see it.
    assert_problem(api.get(f"/v1/forum/posts/{r['id']}/edits", token=other.access), 403, "FORBIDDEN")
    assert len(api.get(f"/v1/forum/posts/{r['id']}/edits", token=admin.access).json()["items"]) == 2


def test_followers_get_a_reply_created_event_in_the_stream(api, admin, user):
    cat = category(api, admin)
    t = thread(api, user, cat)  # the author follows their thread
    follower, replier, quitter = member(api), member(api, "Rita Replier"), member(api)
    for u in (follower, quitter):
        r = api.post(f"/v1/forum/threads/{t['id']}/follow", token=u.access)
        assert r.status_code == 200 and r.json() == {"id": t["id"], "following": True}
    r = api.delete(f"/v1/forum/threads/{t['id']}/follow", token=quitter.access)
    assert r.status_code == 200 and r.json() == {"id": t["id"], "following": False}
    assert view(api, t["id"], follower).json()["thread"]["following"] is True
    assert view(api, t["id"], quitter).json()["thread"]["following"] is False
    post = reply(api, replier, t["id"], "Here is an answer")

    def mine():
        return [e for e in stream_events("forum.reply_created") if e["post_id"] == post["id"]]
    events = wait_for(mine)
    assert len(events) == 1, events
    e = events[0]
    assert set(e["follower_ids"]) == {user.id, follower.id}  # the replier and the quitter excluded
    assert e["thread_id"] == t["id"] and e["thread_title"] == t["title"] and e["author_id"] == replier.id
    assert e["author_display_name"] == "Rita Replier" and e["category_id"] == cat["id"]
    assert e["parent_post_id"] is None and e["parent_author_id"] is None and e["created_at"]
    nested = reply(api, follower, t["id"], "Nested", parent=post["id"])
    e2 = wait_for(lambda: [e for e in stream_events("forum.reply_created") if e["post_id"] == nested["id"]])[0]
    assert e2["parent_post_id"] == post["id"] and e2["parent_author_id"] == replier.id
    assert set(e2["follower_ids"]) == {user.id}
    assert_problem(api.post(f"/v1/forum/threads/{uuid.uuid4()}/follow", token=follower.access), 404)


# ---------------------------------------------------------------- rendering, trust, badges

def test_xss_payloads_are_neutralized(api, admin, user, db):
    cat = category(api, admin)
    t = thread(api, user, cat, body="\n\n".join(XSS))
    got = view(api, t["id"]).json()["thread"]["opening_post"]
    assert_harmless(got["body_html"], "all payloads")
    assert "<script" not in got["body_html"].lower() and "<p>" in got["body_html"]
    assert got["body_markdown"] == "\n\n".join(XSS)  # the source is kept as written
    # The same holds for each payload alone, in replies and edits, for trusted users too.
    db(f"UPDATE forum.members SET approved_posts = 50 WHERE user_id = '{user.id}'")
    for payload in XSS:
        p = reply(api, user, t["id"], payload)
        assert_harmless(p["body_html"], payload)
    e = api.patch(f"/v1/forum/posts/{p['id']}", {"body": XSS[1]}, token=user.access).json()
    assert_harmless(e["body_html"], XSS[1])
    # A plain harmless link survives, so the checks above are not vacuous.
    ok = reply(api, user, t["id"], "[guide](https://example.org/g)")
    assert '<a href="https://example.org/g"' in ok["body_html"]


def test_trust_levels_decide_links_and_images(api, admin, user, db):
    cat = category(api, admin)
    md = "See [the guide](https://example.org/guide) ![chart](https://example.org/chart.png)"
    new = reply(api, user, thread(api, user, cat)["id"], md)
    assert new["author_trust_level"] == "new"
    assert '<a href="https://example.org/guide" rel="nofollow ugc">the guide</a>' in new["body_html"]
    assert "<img" not in new["body_html"]
    assert '<a href="https://example.org/chart.png" rel="nofollow ugc">chart</a>' in new["body_html"]
    db(f"UPDATE forum.members SET approved_posts = 25 WHERE user_id = '{user.id}'")
    regular = reply(api, user, thread(api, user, cat)["id"], md)
    assert regular["author_trust_level"] == "regular"
    assert "nofollow" not in regular["body_html"]
    assert '<img src="https://example.org/chart.png" alt="chart"' in regular["body_html"]


def test_practitioner_answers_carry_a_badge_from_the_org_service(api, admin, user, verified_org):  # noqa: F811
    doctor, profile = make_practitioner(api, verified_org, display_name="Dr. Meera Iyer",
                                        specialties=["Endocrinology"])
    cat = category(api, admin)
    patient = member(api, "Pat Ient")
    t = thread(api, patient, cat)
    answer = reply(api, doctor, t["id"], "Fast for 8-12 hours; water is fine.")
    assert answer["badge"] == {"verified_practitioner": True, "specialty": "endocrinology"}
    assert answer["author_display_name"] == "Dr. Meera Iyer"
    shown = view(api, t["id"]).json()
    assert shown["items"][0]["badge"]["specialty"] == "endocrinology"
    assert "badge" not in shown["thread"]["opening_post"]
    # A category for verified practitioners only.
    pro = category(api, admin, who_can_post="verified_practitioners")
    assert_problem(api.post("/v1/forum/threads", {"category_id": pro["id"], "title": "Case discussion",
                                                  "body": "x"}, token=patient.access), 403, "CATEGORY_RESTRICTED")
    thread(api, doctor, pro, title="Case discussion for doctors")


# ---------------------------------------------------------------- private consultations

def test_private_threads_are_visible_only_to_their_patient_practitioner_and_audited_admins(
        api, admin, user, verified_org, db):  # noqa: F811
    doctor, profile = make_practitioner(api, verified_org, display_name="Dr. Private")
    other_doctor, _ = make_practitioner(api, verified_org, display_name="Dr. Other")
    patient, third = member(api, "Priya Patient"), member(api, "Third Party")
    r = api.post("/v1/forum/private-threads", {"practitioner_id": profile["id"], "subject": "My test results",
                                               "body": "My HbA1c is 7.9, should I worry?"}, token=patient.access)
    assert r.status_code == 201, r.text
    pt = r.json()
    assert pt["practitioner_user_id"] == doctor.id and pt["patient_id"] == patient.id and pt["post_count"] == 1
    assert pt["practitioner_display_name"] == "Dr. Private"
    url = f"/v1/forum/private-threads/{pt['id']}"
    # Its practitioner reads and replies; the patient sees the reply.
    got = api.get(url, token=doctor.access)
    assert got.status_code == 200 and got.json()["items"][0]["body_markdown"] == "My HbA1c is 7.9, should I worry?"
    rr = api.post(url + "/posts", {"body": "Let's review it at your next visit."}, token=doctor.access)
    assert rr.status_code == 201, rr.text
    mine = api.get(url, token=patient.access).json()
    assert [p["author_id"] for p in mine["items"]] == [patient.id, doctor.id]
    assert [t["id"] for t in api.get("/v1/forum/private-threads", token=patient.access).json()["items"]] == [pt["id"]]
    assert [t["id"] for t in api.get("/v1/forum/private-threads", token=doctor.access).json()["items"]] == [pt["id"]]
    # A third user and another practitioner: 404, as for a thread that does not exist.
    for outsider in (third, other_doctor):
        assert_problem(api.get(url, token=outsider.access), 404, "PRIVATE_THREAD_NOT_FOUND")
        assert_problem(api.post(url + "/posts", {"body": "hello"}, token=outsider.access), 404)
        assert api.get("/v1/forum/private-threads", token=outsider.access).json()["items"] == []
    assert_problem(api.get(url), 401)
    # Never in search.
    assert search(api, "HbA1c worry", third) == []
    # Platform admins read with a reason only, and every read is audited.
    assert_problem(api.get(url, token=admin.access), 400, "ACCESS_REASON_REQUIRED")
    got = api.get(url, token=admin.access, params={"access_reason": "Safety review of a reported thread"})
    assert got.status_code == 200 and len(got.json()["items"]) == 2
    assert_problem(api.post(url + "/posts", {"body": "admin here"}, token=admin.access), 403, "FORBIDDEN")
    audit = db(f"SELECT action || ':' || actor_id || ':' || coalesce(reason, '') FROM forum.audit_log "
               f"WHERE private_thread_id = '{pt['id']}' ORDER BY id").splitlines()
    assert audit == [f"create:{patient.id}:", f"read:{doctor.id}:", f"post:{doctor.id}:", f"read:{patient.id}:",
                     f"list:{patient.id}:", f"list:{doctor.id}:",
                     f"admin_read:{admin.id}:Safety review of a reported thread"]
    # Bad input.
    assert_problem(api.post("/v1/forum/private-threads", {"practitioner_id": str(uuid.uuid4()), "subject": "s",
                                                          "body": "b"}, token=patient.access), 404,
                   "PRACTITIONER_NOT_FOUND")
    assert_problem(api.post("/v1/forum/private-threads", {"practitioner_id": profile["id"], "subject": "",
                                                          "body": "b"}, token=patient.access), 400)
    assert_problem(api.post("/v1/forum/private-threads", {"practitioner_id": profile["id"], "subject": "s",
                                                          "body": "b"}, token=doctor.access), 400,
                   "OWN_PRACTITIONER_PROFILE")
    assert_problem(api.post("/v1/forum/private-threads", {"practitioner_id": profile["id"], "subject": "s",
                                                          "body": "b", "appointment_id": str(uuid.uuid4())},
                            token=patient.access), 404, "APPOINTMENT_NOT_FOUND")
    # The recipient is notified without any PHI in the event.
    # The outbox relay publishes asynchronously: wait for both events, not the first one.
    def both():
        ev = [e for e in stream_events("forum.private_post_created") if e["private_thread_id"] == pt["id"]]
        return ev if {e["recipient_user_id"] for e in ev} >= {doctor.id, patient.id} else None
    ev = wait_for(both) or [e for e in stream_events("forum.private_post_created")
                            if e["private_thread_id"] == pt["id"]]
    assert {e["recipient_user_id"] for e in ev} == {doctor.id, patient.id}
    assert all("body" not in e and "subject" not in e for e in ev)


# ---------------------------------------------------------------- moderation

def test_flags_hide_a_post_from_readers_and_search_until_a_moderator_acts(api, admin, user, moderator, db):
    cat = category(api, admin)
    word = uniq()
    t = thread(api, user, cat, title=f"Flag test {uniq()}")
    author = member(api, "Spam Author")
    bad = reply(api, author, t["id"], f"Buy miracle pills {word} now")
    assert [r["post_id"] for r in search(api, word)] == [bad["id"]]
    flaggers = [member(api) for _ in range(3)]
    r = api.post(f"/v1/forum/posts/{bad['id']}/flags", {"reason": "spam"}, token=flaggers[0].access)
    assert r.status_code == 201 and r.json()["post_status"] == "visible"
    assert_problem(api.post(f"/v1/forum/posts/{bad['id']}/flags", {"reason": "spam"}, token=flaggers[0].access),
                   409, "ALREADY_FLAGGED")
    assert_problem(api.post(f"/v1/forum/posts/{bad['id']}/flags", {"reason": "spam"}, token=author.access), 403,
                   "OWN_POST")
    assert_problem(api.post(f"/v1/forum/posts/{bad['id']}/flags", {"reason": "other"}, token=flaggers[1].access),
                   400, "VALIDATION_FAILED")
    assert_problem(api.post(f"/v1/forum/posts/{bad['id']}/flags", {}, token=flaggers[1].access), 400)
    api.post(f"/v1/forum/posts/{bad['id']}/flags", {"reason": "abuse"}, token=flaggers[1].access)
    r = api.post(f"/v1/forum/posts/{bad['id']}/flags", {"reason": "other", "detail": "advertising"},
                 token=flaggers[2].access)
    assert r.status_code == 201 and r.json()["post_status"] == "hidden"  # 3 flags of new users reach 3
    # Gone for readers (anonymous and signed in) and from search; visible to moderators.
    for reader in (None, flaggers[0], user):
        assert bad["id"] not in [p["id"] for p in view(api, t["id"], reader).json()["items"]]
        assert search(api, word, reader) == []
    mod_view = view(api, t["id"], moderator).json()["items"]
    assert [p["status"] for p in mod_view if p["id"] == bad["id"]] == ["hidden"]
    assert [p["body_markdown"] for p in mod_view if p["id"] == bad["id"]] == [f"Buy miracle pills {word} now"]
    assert [r["post_id"] for r in search(api, word, moderator)] == [bad["id"]]
    assert view(api, t["id"]).json()["thread"]["reply_count"] == 0
    # The queue, for moderators only.
    assert_problem(api.get("/v1/forum/moderation/queue", token=user.access), 403, "FORBIDDEN")
    queue = api.get("/v1/forum/moderation/queue", params={"category_id": cat["id"]}, token=moderator.access).json()
    item = [i for i in queue["items"] if i["post"]["id"] == bad["id"]][0]
    assert item["queue_reason"] == "flagged" and item["flag_weight"] == 3 and len(item["flags"]) == 3
    assert item["thread_title"] == t["title"]
    assert {f["reason"] for f in item["flags"]} == {"spam", "abuse", "other"}
    # Moderation actions: restore, then delete; each logged and notified to the author.
    mod = f"/v1/forum/posts/{bad['id']}/moderation"
    assert_problem(api.post(mod, {"action": "restore", "reason": "x"}, token=user.access), 403)
    assert_problem(api.post(mod, {"action": "restore"}, token=moderator.access), 400, "VALIDATION_FAILED")
    assert_problem(api.post(mod, {"action": "explode", "reason": "x"}, token=moderator.access), 400)
    r = api.post(mod, {"action": "restore", "reason": "Not spam after all"}, token=moderator.access)
    assert r.status_code == 200 and r.json()["status"] == "visible"
    assert bad["id"] in [p["id"] for p in view(api, t["id"]).json()["items"]]
    assert [i for i in whole_queue(api, moderator) if i["post"]["id"] == bad["id"]] == []
    r = api.post(mod, {"action": "delete", "reason": "Advertising"}, token=moderator.access)
    assert r.status_code == 200 and r.json()["status"] == "deleted"
    log = db(f"SELECT action || ':' || moderator_id || ':' || reason FROM forum.moderation_log "
             f"WHERE post_id = '{bad['id']}' ORDER BY id").splitlines()
    assert log == [f"restore:{moderator.id}:Not spam after all", f"delete:{moderator.id}:Advertising"]
    events = wait_for(lambda: [e for e in stream_events("forum.moderation_action") if e["post_id"] == bad["id"]
                               and e["action"] == "delete"])
    assert events[0]["target_user_id"] == author.id and events[0]["moderator_id"] == moderator.id
    assert events[0]["reason"] == "Advertising" and events[0]["thread_id"] == t["id"] and events[0]["at"]


def test_lock_pin_and_suspension(api, admin, user, moderator):
    cat = category(api, admin)
    t1 = thread(api, user, cat)
    t2 = thread(api, user, cat)
    other = member(api)
    lock = f"/v1/forum/threads/{t1['id']}/lock"
    assert_problem(api.post(lock, {"locked": True, "reason": "heated"}, token=user.access), 403)
    r = api.post(lock, {"locked": True, "reason": "Heated discussion"}, token=moderator.access)
    assert r.status_code == 200 and r.json()["locked"] is True
    assert_problem(api.post(f"/v1/forum/threads/{t1['id']}/posts", {"body": "more"}, token=other.access), 409,
                   "THREAD_LOCKED")
    api.post(lock, {"locked": False, "reason": "Calm again"}, token=moderator.access)
    reply(api, other, t1["id"], "Now I can reply")
    # Pinned threads come first.
    r = api.post(f"/v1/forum/threads/{t2['id']}/pin", {"pinned": True, "reason": "FAQ"}, token=moderator.access)
    assert r.status_code == 200 and r.json()["pinned"] is True
    assert api.get("/v1/forum/threads", params={"category_id": cat["id"]}).json()["items"][0]["id"] == t2["id"]
    # A suspended user cannot post until the suspension is lifted.
    susp = f"/v1/forum/users/{other.id}/suspension"
    assert_problem(api.post(susp, {"duration_seconds": 3600, "reason": "x"}, token=other.access), 403)
    assert_problem(api.post(susp, {"duration_seconds": 3600}, token=moderator.access), 400)
    assert_problem(api.post(susp, {"duration_seconds": -5, "reason": "x"}, token=moderator.access), 400)
    r = api.post(susp, {"duration_seconds": 3600, "reason": "Repeated abuse"}, token=moderator.access)
    assert r.status_code == 200 and r.json()["until"] and r.json()["moderator_id"] == moderator.id
    assert_problem(api.post(f"/v1/forum/threads/{t1['id']}/posts", {"body": "again"}, token=other.access), 403,
                   "FORUM_SUSPENDED")
    assert_problem(api.post("/v1/forum/threads", {"category_id": cat["id"], "title": "New thread here",
                                                  "body": "x"}, token=other.access), 403, "FORUM_SUSPENDED")
    ev = wait_for(lambda: [e for e in stream_events("forum.moderation_action")
                           if e["target_user_id"] == other.id and e["action"] == "suspend"])
    assert ev[0]["until"] and ev[0]["reason"] == "Repeated abuse"
    r = api.post(susp, {"duration_seconds": 0, "reason": "Appeal accepted"}, token=moderator.access)
    assert r.status_code == 200 and "until" not in r.json()
    reply(api, other, t1["id"], "Back again")


def whole_queue(api, moderator):
    """Every page of the moderation queue (oldest first: a new item is on the last page)."""
    items, token = [], None
    while True:
        r = api.get("/v1/forum/moderation/queue", token=moderator.access,
                    params={"limit": 100, **({"page_token": token} if token else {})})
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        token = r.json().get("next_page_token")
        if not token:
            return items


def test_watched_words_block_or_hold_posts_for_review(api, admin, user, moderator):
    cat = category(api, admin)
    t = thread(api, user, cat)
    blocked, held = uniq(), uniq()
    url = "/v1/forum/moderation/watched-words"
    assert_problem(api.call("PUT", url, {"words": [{"word": "x", "action": "block"}]}, token=user.access), 403)
    assert_problem(api.call("PUT", url, {"words": [{"word": "", "action": "block"}]}, token=moderator.access), 400)
    r = api.call("PUT", url, {"words": [{"word": blocked.upper(), "action": "block"},
                                        {"word": held, "action": "review"}]}, token=moderator.access)
    assert r.status_code == 200, r.text
    try:
        assert {(w["word"], w["action"]) for w in api.get(url, token=moderator.access).json()["items"]} == \
            {(blocked, "block"), (held, "review")}
        writer = member(api)
        assert_problem(api.post(f"/v1/forum/threads/{t['id']}/posts", {"body": f"This is {blocked}!"},
                                token=writer.access), 400, "WATCHED_WORD")
        # Not a whole word: allowed.
        reply(api, writer, t["id"], f"This is {blocked}ish")
        pending = reply(api, writer, t["id"], f"Try {held} today")
        assert pending["status"] == "pending_review"
        assert pending["id"] not in [p["id"] for p in view(api, t["id"]).json()["items"]]
        assert pending["id"] in [p["id"] for p in view(api, t["id"], writer).json()["items"]]  # the author sees it
        queue = whole_queue(api, moderator)
        assert [i["queue_reason"] for i in queue if i["post"]["id"] == pending["id"]] == ["watched_word"]
        r = api.post(f"/v1/forum/posts/{pending['id']}/moderation", {"action": "approve", "reason": "Fine"},
                     token=moderator.access)
        assert r.status_code == 200 and r.json()["status"] == "visible"
        assert pending["id"] in [p["id"] for p in view(api, t["id"]).json()["items"]]
        # Approval tells the followers, as a visible reply would have.
        assert wait_for(lambda: [e for e in stream_events("forum.reply_created") if e["post_id"] == pending["id"]])
    finally:
        api.call("PUT", url, {"words": []}, token=moderator.access)


def test_first_posts_wait_for_approval_and_slow_mode(api, admin, user, moderator):
    gated = category(api, admin, first_post_approval=True)
    newbie = member(api)
    t = thread(api, newbie, gated)
    assert t["status"] == "pending_review"
    assert_problem(view(api, t["id"]), 404)
    assert_problem(view(api, t["id"], user), 404)
    assert view(api, t["id"], newbie).status_code == 200
    assert t["id"] not in [x["id"] for x in api.get("/v1/forum/threads", params={"category_id": gated["id"]}).json()["items"]]
    queue = api.get("/v1/forum/moderation/queue", params={"category_id": gated["id"]}, token=moderator.access).json()
    assert [i["queue_reason"] for i in queue["items"]] == ["first_post"]
    r = api.post(f"/v1/forum/posts/{t['opening_post']['id']}/moderation", {"action": "approve", "reason": "Welcome"},
                 token=moderator.access)
    assert r.status_code == 200
    assert view(api, t["id"]).status_code == 200
    assert reply(api, newbie, t["id"], "Second post goes straight in")["status"] == "visible"
    # Slow mode: a minimum interval between two posts of one user in the category.
    slow = category(api, admin, slow_mode_seconds=600)
    s = thread(api, user, slow)
    r = api.post(f"/v1/forum/threads/{s['id']}/posts", {"body": "too soon"}, token=user.access)
    assert_problem(r, 429, "SLOW_MODE")
    assert 0 < int(r.headers["Retry-After"]) <= 600
    reply(api, member(api), s["id"], "someone else may post")
    reply(api, moderator, s["id"], "moderators are not slowed")


# ---------------------------------------------------------------- search

def test_search_finds_stemmed_words_and_ranks_title_matches_first(api, admin, user):
    cat = category(api, admin)
    key = uniq()
    in_body = thread(api, user, cat, title=f"Morning routine {key}",
                     body=f"Is insulin best before breakfast? I have been running every day. {key}")
    in_title = thread(api, user, cat, title=f"Insulin storage while travelling {key}",
                      body=f"How do I keep it cold? {key}", tags=["travel"])
    hits = search(api, f"insulin {key}")
    assert [h["thread_id"] for h in hits] == [in_title["id"], in_body["id"]]
    assert hits[0]["rank"] > hits[1]["rank"]
    # Stemming: "runs" finds "running".
    hits = search(api, f"runs {key}")
    assert [h["thread_id"] for h in hits] == [in_body["id"]]
    assert "<mark>running</mark>" in hits[0]["snippet_html"]
    # Filters.
    assert [h["thread_id"] for h in search(api, f"insulin {key}", tag="travel")] == [in_title["id"]]
    general = next(c for c in all_pages(api, "/v1/forum/categories") if c["slug"] == "general-health")
    assert search(api, f"insulin {key}", category_id=general["id"]) == []
    assert len(search(api, f"insulin {key}", category_id=cat["id"])) == 2
    # Snippets are escaped: markup in a body comes back as text.
    tricky = thread(api, user, cat, title=f"Markup question {key}", body=f"`<b onmouseover=x>` {key} glucose")
    snip = search(api, f"glucose {key}")[0]["snippet_html"]
    assert snip and "<b" not in snip and "<mark>glucose</mark>" in snip, snip
    assert tricky["id"] == search(api, f"glucose {key}")[0]["thread_id"]
    # Pagination, and bad input.
    page = api.get("/v1/forum/search", params={"q": key, "limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_page_token"]
    rest = api.get("/v1/forum/search", params={"q": key, "limit": 2, "page_token": page["next_page_token"]}).json()
    assert len(rest["items"]) == 1 and "next_page_token" not in rest
    assert_problem(api.get("/v1/forum/search"), 400, "VALIDATION_FAILED")
    assert_problem(api.get("/v1/forum/search", params={"q": "x" * 201}), 400)
    # Deleted posts leave search.
    api.delete(f"/v1/forum/posts/{tricky['opening_post']['id']}", token=user.access)
    assert search(api, f"glucose {key}") == []


def test_a_regular_users_flag_weighs_more(api, admin, user, db):
    cat = category(api, admin)
    t = thread(api, user, cat)
    author, newbie, regular = member(api), member(api), member(api)
    post = reply(api, author, t["id"], "Questionable advice")
    r = api.post(f"/v1/forum/posts/{post['id']}/flags", {"reason": "misinformation"}, token=newbie.access)
    assert r.json()["post_status"] == "visible"
    db(f"INSERT INTO forum.members (user_id, display_name, approved_posts) VALUES ('{regular.id}', 'R', 25)")
    r = api.post(f"/v1/forum/posts/{post['id']}/flags", {"reason": "misinformation"}, token=regular.access)
    assert r.status_code == 201 and r.json()["post_status"] == "hidden"  # 1 (new) + 3 (regular) >= 3
    assert db(f"SELECT string_agg(weight::text, ',' ORDER BY weight) FROM forum.flags "
              f"WHERE post_id = '{post['id']}'") == "1,3"


def test_the_database_itself_hides_private_threads_from_other_subjects(api, user, verified_org, db):  # noqa: F811
    """Row-level security, not only the service: as forum_app with another subject set, the
    rows are invisible; with the patient's subject they are there."""
    doctor, profile = make_practitioner(api, verified_org)
    patient = member(api)
    pt = api.post("/v1/forum/private-threads", {"practitioner_id": profile["id"], "subject": "Private",
                                                "body": "Only for my doctor"}, token=patient.access).json()
    as_app = ("BEGIN; SET LOCAL ROLE forum_app; SELECT set_config('app.subject_id', '{sub}', true); "
              "SELECT set_config('app.roles', '{roles}', true); "
              f"SELECT count(*) FROM forum.private_threads WHERE id = '{pt['id']}'; COMMIT;")
    count = lambda sub, roles="patient": db(as_app.format(sub=sub, roles=roles)).splitlines()[-1]
    assert count(str(uuid.uuid4())) == "0"
    assert count(patient.id) == "1"
    assert count(doctor.id) == "1"
    assert count(str(uuid.uuid4()), "patient,moderator") == "0"
    assert count(str(uuid.uuid4()), "platform_admin") == "1"
    posts = ("BEGIN; SET LOCAL ROLE forum_app; SELECT set_config('app.subject_id', '{sub}', true); "
             f"SELECT count(*) FROM forum.private_posts WHERE thread_id = '{pt['id']}'; COMMIT;")
    assert db(posts.format(sub=str(uuid.uuid4()))).splitlines()[-1] == "0"
    assert db(posts.format(sub=patient.id)).splitlines()[-1] == "1"


def test_the_forum_routes_of_the_issue_are_documented(api):
    paths = api.get("/v1/openapi.json").json()["paths"]
    for path, method in (("/v1/forum/categories", "post"), ("/v1/forum/categories", "get"),
                         ("/v1/forum/threads", "post"), ("/v1/forum/threads", "get"),
                         ("/v1/forum/threads/{thread_id}", "get"), ("/v1/forum/threads/{thread_id}/posts", "post"),
                         ("/v1/forum/private-threads", "post"), ("/v1/forum/private-threads", "get"),
                         ("/v1/forum/private-threads/{thread_id}", "get"),
                         ("/v1/forum/private-threads/{thread_id}/posts", "post"),
                         ("/v1/forum/posts/{post_id}/flags", "post"), ("/v1/forum/moderation/queue", "get"),
                         ("/v1/forum/posts/{post_id}/moderation", "post"), ("/v1/forum/search", "get")):
        assert method in paths.get(path, {}), (method, path)
