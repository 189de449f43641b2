"""Practitioner search as patients use it (issue 19): near a point, in relevance order, and
by date in full pages. Synonyms and city aliases: test_organizations.py."""
import datetime as dt
import random
import uuid

from conftest import PDF, assert_problem, make_practitioner, org_body, upload
from test_appointments import IST, eventually, publish, week_rules


def facility_at(api, verified_org, lat, lon, name):
    org, owner = verified_org["org"], verified_org["owner"]
    r = api.post(f"/v1/organizations/{org['id']}/facilities",
                 {"name": name, "timezone": "Asia/Kolkata",
                  "address": {"line1": "1 Station Road", "city": "Nagpur", "state": "Maharashtra",
                              "pincode": "440001", "latitude": lat, "longitude": lon}}, token=owner.access)
    assert r.status_code == 201, r.text
    return r.json()


def search(api, **params):
    r = api.get("/v1/practitioners", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_search_near_a_point_by_distance(api, verified_org):
    """Practitioners with a facility within the radius, nearest first, each with its distance;
    a practitioner at two facilities counts the nearer one."""
    tag = "z" + uuid.uuid4().hex[:6]  # a word of its own to the text parser
    # A random point in central India, so other tests' facilities are not near it.
    lat, lon = 19.0 + random.random() * 3, 76.0 + random.random() * 3
    here = facility_at(api, verified_org, lat, lon, f"Here {tag}")
    three_km = facility_at(api, verified_org, lat + 0.027, lon, f"North {tag}")    # ~3.0 km
    thirty_km = facility_at(api, verified_org, lat, lon + 0.285, f"East {tag}")    # ~29.9 km
    mine = f"near {tag}"  # a specialty of their own, for searches without text
    _, near = make_practitioner(api, verified_org, display_name=f"Dr. Near {tag}", specialties=[mine],
                                facility_ids=[three_km["id"], thirty_km["id"]])
    _, closest = make_practitioner(api, verified_org, display_name=f"Dr. Closest {tag}", specialties=[mine],
                                   facility_ids=[here["id"]])
    _, far = make_practitioner(api, verified_org, display_name=f"Dr. Far {tag}", specialties=[mine],
                               facility_ids=[thirty_km["id"]])

    got = search(api, latitude=lat, longitude=lon, specialty=mine)["items"]  # 10 km by default, nearest first
    assert [p["id"] for p in got] == [closest["id"], near["id"]]
    assert got[0]["distance_meters"] < 50
    assert 2900 < got[1]["distance_meters"] < 3100
    wide = search(api, latitude=lat, longitude=lon, radius_km=40, q=tag)["items"]
    assert [p["id"] for p in wide] == [closest["id"], near["id"], far["id"]]
    assert 29000 < wide[2]["distance_meters"] < 31000
    within_2km = search(api, latitude=lat, longitude=lon, radius_km=2, specialty=mine)["items"]
    assert [p["id"] for p in within_2km] == [closest["id"]]
    # Filters apply near a point too; searches elsewhere say nothing about distance.
    assert search(api, latitude=lat, longitude=lon, radius_km=40, q=tag, specialty="dermatology")["items"] == []
    assert all("distance_meters" not in p for p in search(api, q=tag)["items"])
    # Pages of one, in the same order, with a token while more exist.
    ids, token = [], None
    for _ in range(4):
        page = search(api, latitude=lat, longitude=lon, radius_km=40, q=tag, sort="distance", limit=1,
                      **({"page_token": token} if token else {}))
        ids += [p["id"] for p in page["items"]]
        token = page.get("next_page_token")
        if not token:
            break
    assert ids == [closest["id"], near["id"], far["id"]] and token is None
    # Without text (facilities walked nearest first): the same, each practitioner once, at
    # its nearest facility, in pages of one.
    seen, token = [], None
    for _ in range(5):
        page = search(api, latitude=lat, longitude=lon, radius_km=40, specialty=mine, limit=1,
                      **({"page_token": token} if token else {}))
        seen += [(p["id"], p["distance_meters"]) for p in page["items"]]
        token = page.get("next_page_token")
        if not token:
            break
    assert [i for i, _ in seen] == [closest["id"], near["id"], far["id"]] and token is None, seen
    assert 2900 < seen[1][1] < 3100 and 29000 < seen[2][1] < 31000

    for bad in ({"latitude": lat}, {"longitude": lon}, {"latitude": 91, "longitude": lon},
                {"latitude": lat, "longitude": 181}, {"latitude": lat, "longitude": lon, "radius_km": 500},
                {"latitude": lat, "longitude": lon, "radius_km": 0}, {"radius_km": 5}, {"sort": "distance"},
                {"latitude": "north", "longitude": lon}):
        assert_problem(api.get("/v1/practitioners", params=bad), 400)


def test_relevance_ranks_the_text_then_the_sooner_free_day(api, verified_org):
    """Names and specialties weigh more than a bio; among equally relevant practitioners the
    one free sooner comes first; qualifications are searchable."""
    tag = "z" + uuid.uuid4().hex[:6]  # a word of its own to the text parser
    fac = verified_org["facility"]["id"]
    today = dt.datetime.now(IST).date()
    later_doc, later = make_practitioner(api, verified_org, display_name=f"Dr. {tag} Rao")
    publish(api, later_doc, later["id"], week_rules(fac), time_off=[
        {"start_date": today.isoformat(), "end_date": (today + dt.timedelta(days=6)).isoformat(), "note": "away"}])
    soon_doc, soon = make_practitioner(api, verified_org, display_name=f"Dr. {tag} Sen")  # names alike to trigrams
    publish(api, soon_doc, soon["id"], week_rules(fac, start="00:00", end="24:00"), min_notice_minutes=0)
    _, bio = make_practitioner(api, verified_org, display_name="Dr. Bio Only",
                               bio=f"Trained with the {tag} programme.", qualifications=[f"DM {tag}ology"])

    def order():
        return [p["id"] for p in search(api, q=tag)["items"]]

    assert eventually(lambda: order() == [soon["id"], later["id"], bio["id"]]), order()
    # Asked for by qualification alone: the text match first, then names only alike by
    # their letters (the fuzzy fallback, as the text finds less than a page).
    assert [p["id"] for p in search(api, q=f"{tag}ology")["items"]] == [bio["id"], soon["id"], later["id"]]


def test_search_by_date_gives_full_pages(api, verified_org):
    """Only practitioners free that day, in pages of exactly `limit` with a token whenever
    more exist (one indexed predicate on the read model, no short pages)."""
    tag = "z" + uuid.uuid4().hex[:6]  # a word of its own to the text parser
    fac = verified_org["facility"]["id"]
    today = dt.datetime.now(IST).date()
    day = (today + dt.timedelta(days=4)).isoformat()
    free, away = [], []
    for i in range(7):
        doc, prof = make_practitioner(api, verified_org, display_name=f"Dr. Paged {tag} {i}")
        off = [{"start_date": day, "end_date": day, "note": "away"}] if i % 3 == 0 else []
        publish(api, doc, prof["id"], week_rules(fac), time_off=off)
        (away if off else free).append(prof["id"])

    def pages(limit):
        out, token = [], None
        while True:
            page = search(api, q=tag, available_on=day, limit=limit, **({"page_token": token} if token else {}))
            out.append([p["id"] for p in page["items"]])
            token = page.get("next_page_token")
            if not token:
                return out

    assert eventually(lambda: sorted(sum(pages(10), [])) == sorted(free))
    got = pages(2)
    assert [len(p) for p in got] == [2, 2]       # four free: two full pages, no token after
    assert sorted(sum(got, [])) == sorted(free) and not set(away) & set(sum(got, []))
    got = pages(3)
    assert [len(p) for p in got] == [3, 1]


def test_search_reads_organizations_and_places_and_follows_their_changes(api, user, admin, db):
    """Search reads one row per listed practitioner (org.practitioner_search), kept in step
    with its sources: listed once the organization is verified, found by the organization's
    and city's names, renamed with them, gone when the practitioner leaves every facility;
    its next free day is the free days' own even when the row went stale."""
    tag = "z" + uuid.uuid4().hex[:6]  # words of their own to the text parser
    word = "w" + uuid.uuid4().hex[:6]
    org = api.post("/v1/organizations", org_body(display_name=f"Clinic {word}"), token=user.access).json()
    assert upload(api, user.access, org["id"], PDF).status_code == 201
    assert api.post(f"/v1/organizations/{org['id']}/submit", token=user.access).status_code == 200
    fac = api.post(f"/v1/organizations/{org['id']}/facilities",
                   {"name": "Ward Road", "timezone": "Asia/Kolkata",
                    "address": {"line1": "3 Ward Road", "city": "Nagpur", "state": "Maharashtra",
                                "pincode": "440001"}}, token=user.access)
    assert fac.status_code == 201, fac.text
    clinic = {"org": org, "facility": fac.json(), "owner": user}
    doctor, prof = make_practitioner(api, clinic, display_name=f"Dr. {tag} Kulkarni")

    def found(**params):
        return [p["id"] for p in search(api, **params)["items"]]

    assert found(q=tag) == []  # the organization is not verified yet
    r = api.post(f"/v1/admin/organizations/{org['id']}/verification", {"decision": "approve"}, token=admin.access)
    assert r.status_code == 200, r.text
    assert found(q=tag) == [prof["id"]]
    # By the organization's name and the city's (words far from the doctor's name, so not
    # the fuzzy name fallback).
    assert found(q=word) == [prof["id"]]
    assert found(q=f"{word} nagpur") == [prof["id"]] and found(q=f"{word} pune") == []
    assert found(q=tag, city="Nagpur") == [prof["id"]] and found(q=tag, city="Pune") == []

    renamed = "r" + uuid.uuid4().hex[:6]
    r = api.patch(f"/v1/organizations/{org['id']}", {"display_name": f"Clinic {renamed}"}, token=user.access)
    assert r.status_code == 200, r.text
    assert found(q=renamed) == [prof["id"]] and found(q=word) == []

    # Free times: the next free day comes from the read model...
    publish(api, doctor, prof["id"], week_rules(fac.json()["id"], start="00:00", end="24:00"), min_notice_minutes=0)
    assert eventually(lambda: search(api, q=tag)["items"][0].get("next_free_day"))
    day = search(api, q=tag)["items"][0]["next_free_day"]
    # ...and while a row is stale (its day no longer bookable, as time would make it), from
    # the free days themselves, until the sweep puts the row right.
    db(f"UPDATE org.practitioner_search SET next_free_day = '2000-01-01', next_free_until = now() - interval '1 hour' "
       f"WHERE practitioner_id = '{prof['id']}'")
    assert search(api, q=tag)["items"][0]["next_free_day"] == day
    assert eventually(lambda: db(f"SELECT next_free_day FROM org.practitioner_search "
                                 f"WHERE practitioner_id = '{prof['id']}'") == day)

    # Leaving every facility unlists; coming back lists again.
    body = {"display_name": f"Dr. {tag} Kulkarni", "specialties": ["General Medicine"], "languages": ["en"],
            "consultation_modes": ["in_person"], "years_of_experience": 5}
    r = api.call("PUT", "/v1/practitioners/me", {**body, "facility_ids": []}, token=doctor.access)
    assert r.status_code == 200, r.text
    assert found(q=tag) == []
    r = api.call("PUT", "/v1/practitioners/me", {**body, "facility_ids": [fac.json()["id"]],
                                                  "specialties": ["Cardiology"]}, token=doctor.access)
    assert r.status_code == 200, r.text
    assert found(q=tag) == [prof["id"]] and found(q=tag, specialty="cardiology") == [prof["id"]]
    assert found(q=tag, specialty="dermatology") == []


def test_a_query_naming_a_specialty_lists_its_practitioners_soonest_first(api, verified_org):
    """"Cardiologist" is the specialty, not a text to rank: every practitioner of it, the
    soonest free first and those without a free day last, in full pages through the read
    model's index; a bio that only mentions the word does not make a specialist."""
    word = "xeno" + "".join(random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8)) + "logy"
    fac = verified_org["facility"]["id"]
    today = dt.datetime.now(IST).date()
    late_doc, late = make_practitioner(api, verified_org, display_name="Dr. Late Specialist", specialties=[word])
    publish(api, late_doc, late["id"], week_rules(fac), time_off=[
        {"start_date": today.isoformat(), "end_date": (today + dt.timedelta(days=5)).isoformat(), "note": "away"}])
    soon_doc, soon = make_practitioner(api, verified_org, display_name="Dr. Soon Specialist", specialties=[word])
    publish(api, soon_doc, soon["id"], week_rules(fac, start="00:00", end="24:00"), min_notice_minutes=0)
    _, idle = make_practitioner(api, verified_org, display_name="Dr. Idle Specialist",
                                specialties=[word, "Dermatology"])
    _, mention = make_practitioner(api, verified_org, display_name="Dr. Mentions It",
                                   bio=f"Worked beside {word} wards.")

    def pages(limit, **params):
        out, token = [], None
        while True:
            page = search(api, q=word.capitalize(), limit=limit, **params, **({"page_token": token} if token else {}))
            out.append([(p["id"], p.get("next_free_day")) for p in page["items"]])
            token = page.get("next_page_token")
            if not token:
                return out

    expected = [soon["id"], late["id"], idle["id"]]
    assert eventually(lambda: [i for i, _ in sum(pages(20), [])] == expected), pages(20)
    got = pages(1)
    assert [len(p) for p in got] == [1, 1, 1] and [p[0][0] for p in got] == expected
    days = [d for p in got for _, d in p]
    assert days[0] and days[1] and days[0] < days[1] and days[2] is None
    assert mention["id"] not in [i for i, _ in sum(pages(20), [])]
    # Another order asked for is kept; a text beside the word is a text search again.
    assert sorted(p["id"] for p in search(api, q=word, sort="experience")["items"]) == sorted(expected)
    assert [p["id"] for p in search(api, q=f"{word} wards")["items"]] == [mention["id"]]


def test_search_by_gender_and_fee_with_facets_that_are_filters(api, verified_org):
    """Gender (as the practitioner states it) and the first visit's fee filter a search; facets
    count every match (not a page) per specialty, city, language, mode, gender and fee range,
    and each count is what that value, given as its filter, finds."""
    tag = "z" + uuid.uuid4().hex[:6]
    mine = f"facets {tag}"
    lat, lon = 19.0 + random.random() * 3, 76.0 + random.random() * 3
    nagpur = facility_at(api, verified_org, lat, lon, f"Clinic {tag}")  # Nagpur; the org's own is in Bengaluru

    def doctor(name, gender, fee, languages, modes, **more):
        body = {"display_name": f"Dr. {name} {tag}", "specialties": [mine] + more.pop("also", []),
                "languages": languages, "consultation_modes": modes,
                "fees": {"first_visit": {"amount_minor": fee, "currency": "INR"},
                         "follow_up": {"amount_minor": fee // 2, "currency": "INR"}}, **more}
        if gender:
            body["gender"] = gender
        return make_practitioner(api, verified_org, **body)

    _, asha = doctor("Asha", "female", 25000, ["en", "hi"], ["in_person"])
    _, bina = doctor("Bina", "female", 45000, ["en"], ["in_person", "video"], also=["dermatology"])
    _, chetan = doctor("Chetan", "male", 150000, ["hi"], ["video"])
    dev_doc, dev = doctor("Dev", None, 300000, ["en"], ["in_person"],
                          facility_ids=[verified_org["facility"]["id"], nagpur["id"]])
    assert asha["gender"] == "female" and chetan["gender"] == "male"
    assert "gender" not in dev  # not said: absent, never guessed
    assert api.get(f"/v1/practitioners/{bina['id']}").json()["gender"] == "female"

    def ids(**params):
        return {p["id"] for p in search(api, **{"specialty": mine, "limit": 100, **params})["items"]}

    assert ids(gender="female") == {asha["id"], bina["id"]}
    assert ids(gender="male") == {chetan["id"]}
    assert ids(fee_max_minor=50000) == {asha["id"], bina["id"]}
    assert ids(fee_min_minor=100000) == {chetan["id"], dev["id"]}
    assert ids(fee_min_minor=45000, fee_max_minor=150000) == {bina["id"], chetan["id"]}
    assert ids(gender="female", fee_min_minor=30000) == {bina["id"]}
    # The same filters with text, and near a point (only Dev consults in Nagpur).
    assert {p["id"] for p in search(api, q=tag, gender="female")["items"]} == {asha["id"], bina["id"]}
    assert [p["id"] for p in search(api, q=tag, latitude=lat, longitude=lon, fee_min_minor=1)["items"]] == [dev["id"]]
    assert search(api, latitude=lat, longitude=lon, gender="female")["items"] == []

    page = search(api, specialty=mine, limit=1, facets="true")
    assert len(page["items"]) == 1 and page.get("next_page_token")
    f = page["facets"]
    assert f["total"] == 4
    assert f["specialties"] == [{"value": mine, "count": 4}, {"value": "dermatology", "count": 1}]
    assert f["cities"] == [{"value": "Bengaluru", "count": 4}, {"value": "Nagpur", "count": 1}]
    assert f["languages"] == [{"value": "en", "count": 3}, {"value": "hi", "count": 2}]
    assert f["modes"] == [{"value": "in_person", "count": 3}, {"value": "video", "count": 2}]
    assert f["genders"] == [{"value": "female", "count": 2}, {"value": "male", "count": 1}]
    assert [(r["fee_min_minor"], r.get("fee_max_minor"), r["count"]) for r in f["fee_ranges"]] == [
        (0, 30000, 1), (30001, 50000, 1), (50001, 100000, 0), (100001, 200000, 1), (200001, None, 1)]
    # Each count is what its value finds as a filter (the same four found by their names, as
    # one specialty filter is all a search takes).
    assert search(api, q=tag, facets="true")["facets"] == f

    def named(**params):
        return len(search(api, q=tag, limit=100, **params)["items"])
    for name, facet in (("specialty", "specialties"), ("city", "cities"), ("language", "languages"),
                        ("mode", "modes"), ("gender", "genders")):
        for v in f[facet]:
            assert named(**{name: v["value"]}) == v["count"], (name, v)
    for r in f["fee_ranges"]:
        bounds = {"fee_min_minor": r["fee_min_minor"]}
        if "fee_max_minor" in r:
            bounds["fee_max_minor"] = r["fee_max_minor"]
        assert named(**bounds) == r["count"], r
    # Facets follow the filters, the text and the point; without asking, none.
    assert search(api, specialty=mine, gender="female", facets="true")["facets"]["total"] == 2
    # A text finding less than a page adds names by trigram (the others share the tag, and
    # other tests' Ashas may be alike): the facets count what the results list.
    asha_first = search(api, q=f"Asha {tag}", facets="true")
    assert asha_first["items"][0]["id"] == asha["id"]
    assert asha_first["facets"]["total"] == len(asha_first["items"]) >= 4
    near = search(api, latitude=lat, longitude=lon, specialty=mine, facets="true")["facets"]
    assert near["total"] == 1 and near["genders"] == []
    assert near["cities"] == [{"value": "Bengaluru", "count": 1}, {"value": "Nagpur", "count": 1}]
    assert "facets" not in search(api, specialty=mine)
    nothing = search(api, q=f"nobody{tag}", facets="true")
    assert nothing["items"] == [] and nothing["facets"]["total"] == 0
    assert [r["count"] for r in nothing["facets"]["fee_ranges"]] == [0, 0, 0, 0, 0]

    # A profile's gender changes with it, and so does search.
    body = {"display_name": f"Dr. Dev {tag}", "specialties": [mine], "languages": ["en"],
            "consultation_modes": ["in_person"], "gender": "male",
            "fees": {"first_visit": {"amount_minor": 300000, "currency": "INR"}},
            "facility_ids": [verified_org["facility"]["id"], nagpur["id"]]}
    r = api.call("PUT", "/v1/practitioners/me", body, token=dev_doc.access)
    assert r.status_code == 200 and r.json()["gender"] == "male", r.text
    assert ids(gender="male") == {chetan["id"], dev["id"]}
    r = api.call("PUT", "/v1/practitioners/me", {**body, "gender": "unknown"}, token=dev_doc.access)
    assert_problem(r, 400)

    for bad in ({"gender": "unknown"}, {"fee_min_minor": -1}, {"fee_max_minor": 10000001},
                {"fee_min_minor": 50000, "fee_max_minor": 40000}, {"facets": "maybe"}):
        assert_problem(api.get("/v1/practitioners", params=bad), 400)


def test_hpr_id_and_address_on_the_profile_and_in_search(api, verified_org):
    """A practitioner gives their Healthcare Professionals Registry ID and HPR address (how
    UHI names a doctor): stored normalized, shown on the profile and in search results, held
    by one profile only, refused when malformed, removed when left empty."""
    tag = "h" + uuid.uuid4().hex[:6]
    digits = "".join(random.choice("0123456789") for _ in range(14))
    formatted = f"{digits[:2]}-{digits[2:6]}-{digits[6:10]}-{digits[10:]}"
    address = f"meera.{tag}@hpr.abdm"
    base = {"display_name": f"Dr. Meera {tag}", "specialties": [f"hpr {tag}"]}
    doctor, meera = make_practitioner(api, verified_org, **base, hpr_id=f" {digits[:7]} {digits[7:]} ",
                                      hpr_address=address.upper())
    assert meera["hpr_id"] == formatted
    assert meera["hpr_address"] == address
    assert api.get(f"/v1/practitioners/{meera['id']}").json()["hpr_id"] == formatted
    found = search(api, specialty=f"hpr {tag}")["items"]
    assert [(p["id"], p["hpr_id"], p["hpr_address"]) for p in found] == [(meera["id"], formatted, address)]
    assert search(api, q=f"Meera {tag}")["items"][0]["hpr_address"] == address

    # Another practitioner cannot claim either; nothing of their profile changes.
    other, ravi = make_practitioner(api, verified_org, display_name=f"Dr. Ravi {tag}",
                                    specialties=[f"hpr {tag}"])
    assert "hpr_id" not in ravi and "hpr_address" not in ravi  # not given: absent
    ravi_body = {"display_name": f"Dr. Ravi {tag} renamed", "specialties": [f"hpr {tag}"],
                 "languages": ["en"], "consultation_modes": ["in_person"],
                 "facility_ids": [verified_org["facility"]["id"]]}
    for claim in ({"hpr_id": digits}, {"hpr_address": f"Meera.{tag}@HPR.abdm"}):
        r = api.call("PUT", "/v1/practitioners/me", {**ravi_body, **claim}, token=other.access)
        assert_problem(r, 409, "HPR_ID_TAKEN")
    assert api.get(f"/v1/practitioners/{ravi['id']}").json()["display_name"] == f"Dr. Ravi {tag}"

    # Malformed: 400 naming the field.
    for field, bad in (("hpr_id", "7144538853684"), ("hpr_id", "71-4453-8853-684O"),
                       ("hpr_address", "meera@gmail.com"), ("hpr_address", "me@hpr.abdm"),
                       ("hpr_address", "meera iyer@hpr.abdm")):
        r = api.call("PUT", "/v1/practitioners/me", {**ravi_body, field: bad}, token=other.access)
        body = assert_problem(r, 400)
        assert field in {e["field"] for e in body["errors"]}, body

    # Removed when left out (the PUT replaces the profile); then free for another profile.
    r = api.call("PUT", "/v1/practitioners/me", {**base, "languages": ["en"], "consultation_modes": ["in_person"],
                                                  "facility_ids": [verified_org["facility"]["id"]]},
                 token=doctor.access)
    assert r.status_code == 200, r.text
    assert "hpr_id" not in r.json() and "hpr_address" not in r.json()
    r = api.call("PUT", "/v1/practitioners/me", {**ravi_body, "hpr_id": formatted, "hpr_address": address},
                 token=other.access)
    assert r.status_code == 200, r.text
    assert (r.json()["hpr_id"], r.json()["hpr_address"]) == (formatted, address)


def test_a_specialty_in_a_city_follows_places_and_specialties(api, verified_org, db):
    """A specialty in a city is read from (city, specialty) keys kept with the read model
    (V0014): soonest first, paged, by a city's other name too, and in step when a
    facility's city or a practitioner's specialties change or they leave."""
    tag = "k" + uuid.uuid4().hex[:6]
    mine, other = f"keys {tag}", f"other {tag}"
    nagpur = facility_at(api, verified_org, 21.1458, 79.0882, f"Keys {tag}")
    blr = verified_org["facility"]["id"]
    d1, a = make_practitioner(api, verified_org, display_name=f"Dr. A {tag}", specialties=[mine],
                              facility_ids=[nagpur["id"]])
    d2, b = make_practitioner(api, verified_org, display_name=f"Dr. B {tag}", specialties=[mine, other],
                              facility_ids=[nagpur["id"], blr])
    _, c = make_practitioner(api, verified_org, display_name=f"Dr. C {tag}", specialties=[mine],
                             facility_ids=[blr])
    # A soonest free day for B only: B first, then the others by id.
    publish(api, d2, b["id"], week_rules(nagpur["id"], start="00:00", end="24:00"), min_notice_minutes=0)
    assert eventually(lambda: any(p["id"] == b["id"] and p.get("next_free_day")
                                  for p in search(api, specialty=mine, city="Nagpur")["items"]))

    def found(**params):
        return [p["id"] for p in search(api, **{"specialty": mine, "sort": "soonest", **params})["items"]]

    assert found(city="Nagpur") == [b["id"], a["id"]]
    assert found(city="Bengaluru") == [b["id"], c["id"]]
    assert set(found(city="Bangalore")) == {b["id"], c["id"]}  # the city's other name
    assert found(city="Nagpur", specialty=other) == [b["id"]]
    assert found(city="Pune") == []
    # The same by a query naming the specialty (soonest first as well).
    assert [p["id"] for p in search(api, q=mine, city="Nagpur")["items"]] == [b["id"], a["id"]]
    # Pages of one, in the same order, with a token while more exist.
    first = search(api, specialty=mine, city="Nagpur", sort="soonest", limit=1)
    assert [p["id"] for p in first["items"]] == [b["id"]] and first.get("next_page_token")
    second = search(api, specialty=mine, city="Nagpur", sort="soonest", limit=1, page_token=first["next_page_token"])
    assert [p["id"] for p in second["items"]] == [a["id"]] and "next_page_token" not in second

    # The facility moves to Pune: its practitioners follow.
    db(f"UPDATE org.facilities SET city = 'Pune' WHERE id = '{nagpur['id']}'")
    assert found(city="Nagpur") == [] and found(city="Pune") == [b["id"], a["id"]]
    assert found(city="Bengaluru") == [b["id"], c["id"]]
    # A changed specialty follows; leaving every facility unlists.
    body = {"display_name": f"Dr. A {tag}", "languages": ["en"], "consultation_modes": ["in_person"]}
    r = api.call("PUT", "/v1/practitioners/me", {**body, "specialties": [other], "facility_ids": [nagpur["id"]]},
                 token=d1.access)
    assert r.status_code == 200, r.text
    assert found(city="Pune") == [b["id"]] and found(city="Pune", specialty=other) == [b["id"], a["id"]]
    r = api.call("PUT", "/v1/practitioners/me", {**body, "specialties": [other], "facility_ids": []}, token=d1.access)
    assert r.status_code == 200, r.text
    assert found(city="Pune", specialty=other) == [b["id"]]
    assert str(db(f"SELECT count(*) FROM org.practitioner_search_keys WHERE practitioner_id = '{a['id']}'")) == "0"
