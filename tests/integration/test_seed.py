"""./healthtech seed: a living platform, and safe to run twice."""
import os
import re
import subprocess

NAMES = ["Dr. Meera Iyer", "Dr. Arjun Rao", "Dr. Fatima Shaikh", "Dr. Rohan Deshpande", "Dr. Ananya Sen"]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def run_seed(api):
    env = dict(os.environ, BFF_URL=api.base)
    out = subprocess.run(["/usr/bin/python3", os.path.join(os.path.dirname(__file__), "../../scripts/seed.py")],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr + out.stdout
    return sorted(UUID.findall(out.stdout))


def test_seed_creates_a_bookable_platform_and_can_run_twice(api):
    first, second = run_seed(api), run_seed(api)
    assert len(first) == 7 and first == second  # 2 organizations + 5 practitioners, found again, not duplicated
    seeded = []
    for name in NAMES:
        found = [d for d in api.get("/v1/practitioners", params={"q": name, "limit": 100}).json()["items"]
                 if d["display_name"] == name and d["id"] in first]
        assert len(found) == 1, name
        seeded.append(found[0])
    assert {f["address"]["city"] for d in seeded for f in d["facilities"]} == {"Bengaluru", "Mumbai"}
    assert any("fees" not in d for d in seeded) and any("fees" in d for d in seeded)
    assert len({s for d in seeded for s in d["specialties"]}) == 5
    assert len({l for d in seeded for l in d["languages"]}) >= 6
    for d in seeded:
        slots = api.get(f"/v1/practitioners/{d['id']}/slots").json()["items"]
        assert len(slots) > 20, d["display_name"]
        assert all(s["timezone"] == "Asia/Kolkata" for s in slots)
