"""Practitioner search as patients use it (issue 19): near a point, in relevance order, and
by date in full pages. Synonyms and city aliases: test_organizations.py."""
import datetime as dt
import random
import uuid

from conftest import assert_problem, make_practitioner
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
    _, near = make_practitioner(api, verified_org, display_name=f"Dr. Near {tag}",
                                facility_ids=[three_km["id"], thirty_km["id"]])
    _, closest = make_practitioner(api, verified_org, display_name=f"Dr. Closest {tag}", facility_ids=[here["id"]])
    _, far = make_practitioner(api, verified_org, display_name=f"Dr. Far {tag}", facility_ids=[thirty_km["id"]])

    got = search(api, latitude=lat, longitude=lon)["items"]  # 10 km by default, nearest first
    assert [p["id"] for p in got] == [closest["id"], near["id"]]
    assert got[0]["distance_meters"] < 50
    assert 2900 < got[1]["distance_meters"] < 3100
    wide = search(api, latitude=lat, longitude=lon, radius_km=40, q=tag)["items"]
    assert [p["id"] for p in wide] == [closest["id"], near["id"], far["id"]]
    assert 29000 < wide[2]["distance_meters"] < 31000
    assert [p["id"] for p in search(api, latitude=lat, longitude=lon, radius_km=2)["items"]] == [closest["id"]]
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
