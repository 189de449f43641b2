"""Practitioner photos (issue 15, item 11): uploaded by the practitioner, checked by what the
bytes are (not by name or declared type), turned upright, cropped, resized and re-encoded on
the server, and served with a content-versioned URL that may be cached for good."""
import base64
import ctypes
import ctypes.util
import struct
import uuid
import zlib

from conftest import assert_problem, make_practitioner


def png(width, height, pixel=lambda x, y: (200, 30, 30)):
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def jpeg(width, height, pixel):
    """A JPEG made with libjpeg-turbo through ctypes (no imaging package needed)."""
    tj = ctypes.CDLL(ctypes.util.find_library("turbojpeg") or "libturbojpeg.so.0")
    tj.tjInitCompress.restype = ctypes.c_void_p
    handle = tj.tjInitCompress()
    raw = bytes(b for y in range(height) for x in range(width) for b in pixel(x, y))
    buf, size = ctypes.POINTER(ctypes.c_ubyte)(), ctypes.c_ulong(0)
    # TJPF_RGB = 0, TJSAMP_444 = 0, quality 95, no flags
    rc = tj.tjCompress2(ctypes.c_void_p(handle), raw, width, 0, height, 0, ctypes.byref(buf),
                        ctypes.byref(size), 0, 95, 0)
    assert rc == 0
    out = ctypes.string_at(buf, size.value)
    tj.tjFree(buf)
    tj.tjDestroy(ctypes.c_void_p(handle))
    return out


def with_orientation(data, orientation):
    tiff = b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00" + bytes(
        [orientation, 0, 0, 0]) + b"\x00\x00\x00\x00"
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(tiff) + 2) + tiff + data[2:]


def jpeg_size(data):
    """(width, height) from a JPEG's SOF segment."""
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    raise AssertionError("no SOF in the JPEG")


def put_photo(api, token, data, content_type="image/png"):
    return api.s.put(f"{api.base}/v1/practitioners/me/photo", data=data, timeout=30,
                     headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})


def test_a_photo_is_normalized_and_served_for_good(api, verified_org):
    doctor, prof = make_practitioner(api, verified_org, display_name="Dr. Kavya Menon")
    assert "photo_url" not in prof
    r = put_photo(api, doctor.access, png(800, 600))
    assert r.status_code == 200, r.text
    url = r.json()["photo_url"]
    assert url.startswith(f"/v1/practitioners/{prof['id']}/photo?v=") and len(url.split("v=")[1]) == 16
    # Everyone sees the same URL on the profile and in search.
    assert api.get(f"/v1/practitioners/{prof['id']}").json()["photo_url"] == url
    found = api.get("/v1/practitioners", params={"q": "Kavya Menon", "limit": 100}).json()["items"]
    assert [p["photo_url"] for p in found if p["id"] == prof["id"]] == [url]
    photo = api.s.get(api.base + url, timeout=10)  # anonymous, as an <img> asks
    assert photo.status_code == 200
    assert photo.headers["Content-Type"] == "image/jpeg"
    assert "immutable" in photo.headers["Cache-Control"] and "max-age=31536000" in photo.headers["Cache-Control"]
    assert photo.content[:3] == b"\xff\xd8\xff"
    assert jpeg_size(photo.content) == (320, 320)
    assert len(photo.content) < 60_000


def test_phone_photos_are_turned_upright_and_lose_their_metadata(api, verified_org):
    doctor, prof = make_practitioner(api, verified_org)
    # Stored 600x400 with green on top, EXIF orientation 6: upright, the green is on the right.
    stored = jpeg(600, 400, lambda x, y: (20, 200, 20) if y < 200 else (0, 0, 0))
    data = with_orientation(stored, 6) + b"GPS 12.97N 77.64E"
    # JSON with base64 content is accepted as well as a raw body.
    r = api.call("PUT", "/v1/practitioners/me/photo",
                 {"content_type": "image/jpeg", "content": base64.b64encode(data).decode()}, token=doctor.access)
    assert r.status_code == 200, r.text
    served = api.s.get(api.base + r.json()["photo_url"], timeout=10).content
    assert b"Exif" not in served and b"GPS" not in served
    assert jpeg_size(served) == (320, 320)


def test_a_camera_sized_photo_is_taken(api, verified_org):
    # Phone photos run to megabytes: the body limit is the route's (8 MiB), not the server's
    # default 1 MiB, which the headers' Content-Length was once checked against.
    doctor, prof = make_practitioner(api, verified_org)
    noisy = jpeg(1300, 1000, lambda x, y: ((x * 7919 + y * 104729) % 251, (x * y) % 253, (x ^ y) % 256))
    assert len(noisy) > 1_200_000
    r = put_photo(api, doctor.access, noisy, "image/jpeg")
    assert r.status_code == 200, r.text
    assert jpeg_size(api.s.get(api.base + r.json()["photo_url"], timeout=10).content) == (320, 320)


def test_what_is_not_a_usable_image_is_refused_and_changes_nothing(api, verified_org):
    doctor, prof = make_practitioner(api, verified_org)
    url = put_photo(api, doctor.access, png(300, 300)).json()["photo_url"]
    bomb = bytearray(png(64, 64))
    bomb[16:24] = struct.pack(">II", 30000, 30000)
    bomb[29:33] = struct.pack(">I", zlib.crc32(bytes(bomb[12:29])))
    for data, content_type, words in [
        (b"<?php echo 'hi'; ?>", "image/png", "JPEG or PNG"),
        (b"%PDF-1.7\n1 0 obj\n", "image/jpeg", "JPEG or PNG"),
        (b"GIF89a" + b"\x00" * 100, "image/png", "JPEG or PNG"),
        (png(300, 300)[:80], "image/png", "damaged"),
        (png(40, 300), "image/png", "too small"),
        (bytes(bomb), "image/png", "megapixels"),
    ]:
        r = put_photo(api, doctor.access, data, content_type)
        assert_problem(r, 400, "VALIDATION_FAILED")
        assert [e["field"] for e in r.json()["errors"]] == ["content"]
        assert words in r.json()["errors"][0]["message"], r.text
    # A declared type the operation does not take, and a body over its limit.
    assert put_photo(api, doctor.access, png(100, 100), "image/gif").status_code in (400, 415)
    assert_problem(put_photo(api, doctor.access, b"\xff\xd8\xff" + b"\x00" * (9 * 1024 * 1024),
                             "image/jpeg"), 413, "PAYLOAD_TOO_LARGE")
    assert api.get(f"/v1/practitioners/{prof['id']}").json()["photo_url"] == url


def test_replace_and_remove(api, verified_org):
    doctor, prof = make_practitioner(api, verified_org)
    first = put_photo(api, doctor.access, png(200, 200)).json()["photo_url"]
    second = put_photo(api, doctor.access, png(200, 200, lambda x, y: (20, 20, 200))).json()["photo_url"]
    assert first != second
    r = api.delete("/v1/practitioners/me/photo", token=doctor.access)
    assert r.status_code == 200, r.text
    assert "photo_url" not in r.json()
    assert "photo_url" not in api.get(f"/v1/practitioners/{prof['id']}").json()
    assert_problem(api.s.get(api.base + second, timeout=10), 404, "PHOTO_NOT_FOUND")


def test_who_may_upload_and_see(api, verified_org, user):
    # No profile: nothing to attach a photo to; no token: refused.
    assert_problem(put_photo(api, user.access, png(100, 100)), 404, "PRACTITIONER_NOT_FOUND")
    assert_problem(api.s.put(f"{api.base}/v1/practitioners/me/photo", data=png(100, 100),
                             headers={"Content-Type": "image/png"}, timeout=10), 401, "AUTH_REQUIRED")
    # A profile at no verified organization: its photo is the owner's alone, like the profile.
    stranger = api.register(email=f"dr-{uuid.uuid4().hex[:8]}@example.com")
    api.login(stranger)
    body = {"display_name": "Dr. Unlisted", "specialties": ["Dermatology"], "consultation_modes": ["video"]}
    prof = api.call("PUT", "/v1/practitioners/me", body, token=stranger.access)
    assert prof.status_code == 200, prof.text
    url = put_photo(api, stranger.access, png(100, 100)).json()["photo_url"]
    assert_problem(api.s.get(api.base + url, timeout=10), 404, "PHOTO_NOT_FOUND")
    own = api.s.get(api.base + url, headers={"Authorization": f"Bearer {stranger.access}"}, timeout=10)
    assert own.status_code == 200 and own.content[:3] == b"\xff\xd8\xff"
    # Unknown and malformed ids answer the same 404.
    assert_problem(api.s.get(f"{api.base}/v1/practitioners/{uuid.uuid4()}/photo", timeout=10), 404, "PHOTO_NOT_FOUND")
