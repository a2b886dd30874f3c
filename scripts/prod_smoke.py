"""Smoke test of the production stack through the proxy (run by scripts/prod_check.sh).

Submits a public report with a photo (GPS in its EXIF), reads the receipt, checks its status,
opens the staff sign-in page and /readyz, checks that nginx serves the static files and refuses
the private media prefix, and that the photo landed in the S3 bucket without its GPS tag and
not on the local disk. Prints figures; exits 1 on the first failed check.

Usage: prod_smoke.py BASE_URL S3_ENDPOINT BUCKET MEDIA_ROOT CA_CERT
"""

import datetime
import io
import re
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import requests
from PIL import Image

BASE, S3_ENDPOINT, BUCKET, MEDIA_ROOT, CA_CERT = sys.argv[1:6]
figures: dict[str, str] = {}


def check(ok: bool, what: str) -> None:
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        sys.exit(1)


def timed(label: str, func):
    start = time.perf_counter()
    result = func()
    figures[label] = f"{(time.perf_counter() - start) * 1000:.0f} ms"
    return result


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "MarkerCam"
    exif[0x8825] = {1: "S", 2: (1.0, 57.0, 30.0), 3: "E", 4: (113.0, 23.0, 10.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def hidden_inputs(html: str) -> dict:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' in tag and (name := re.search(r'name="([^"]+)"', tag)):
            value = re.search(r'value="([^"]*)"', tag)
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def new_session() -> requests.Session:
    client = requests.Session()
    client.trust_env = False  # no proxy or CA bundle from the environment: this run's own certificate
    client.verify = CA_CERT
    return client


session = new_session()

ready = timed("GET /readyz", lambda: session.get(f"{BASE}/readyz"))
check(ready.status_code == 200 and ready.json().get("database") == "ok", f"/readyz 200 {ready.text.strip()}")

form_page = timed("GET /lapor/", lambda: session.get(f"{BASE}/lapor/"))
check(form_page.status_code == 200, "report form 200")
check("Strict-Transport-Security" in form_page.headers, "HSTS header set (production settings behind the proxy)")
check(form_page.headers.get("Server", "").startswith("nginx"), "answered through nginx")

css = re.search(r'href="(/static/[^"]+\.css)"', form_page.text)
check(css is not None, "page links a stylesheet")
static = session.get(f"{BASE}{css.group(1)}")  # type: ignore[union-attr]
check(
    static.status_code == 200 and "immutable" in static.headers.get("Cache-Control", ""),
    "static file served by nginx (immutable)",
)
private = session.get(f"{BASE}/_private/evidence/anything.jpg")
check(private.status_code == 404, "private media prefix refused (404)")

fields = hidden_inputs(form_page.text)
fields |= {
    "description": "Camat hadir dan berorasi di deklarasi pasangan calon bupati di lapangan kecamatan.",
    "incident_date": (datetime.datetime.now(datetime.UTC).date() - datetime.timedelta(days=3)).isoformat(),
    "province": "62",
    "region_code": "62.06",
    "subject_name": "Budi Santoso",
    "subject_position": "Camat",
    "subject_agency": "Kecamatan Katingan Hilir",
    "location": "Lapangan Kasongan",
    "links": "https://www.facebook.com/contoh/posts/1",
    "contact": "",
    "website": "",
}
time.sleep(3.2)  # the form refuses what is sent faster than a person could type it
photo = photo_with_gps()
sent = timed(
    "POST /lapor/ (photo)",
    lambda: session.post(
        f"{BASE}/lapor/",
        data=fields,
        files={"evidence": ("foto.jpg", photo, "image/jpeg")},
        headers={"Referer": f"{BASE}/lapor/"},
        allow_redirects=False,
    ),
)
check(
    sent.status_code == 303 and "/lapor/terkirim/" in sent.headers.get("Location", ""),
    f"report accepted: {sent.status_code}",
)
receipt = session.get(
    BASE + sent.headers["Location"] if sent.headers["Location"].startswith("/") else sent.headers["Location"]
)
code = re.search(r'id="receipt-code">([^<]+)<', receipt.text)
key = re.search(r'id="access-key">([^<]+)<', receipt.text)
check(receipt.status_code == 200 and code is not None and key is not None, "receipt shows code and access key")

status_form = session.get(f"{BASE}/status/")
status_fields = hidden_inputs(status_form.text) | {"receipt_code": code.group(1), "access_key": key.group(1)}  # type: ignore[union-attr]
status = timed(
    "POST /status/",
    lambda: session.post(f"{BASE}/status/", data=status_fields, headers={"Referer": f"{BASE}/status/"}),
)
check(status.status_code == 200 and code.group(1) in status.text, "status check finds the report")  # type: ignore[union-attr]

signin = timed("GET /staf/masuk/", lambda: session.get(f"{BASE}/staf/masuk/"))
check(signin.status_code == 200 and "<form" in signin.text, "staff sign-in page 200")

MOTO_KEY = "testing"  # the local moto server accepts any credentials
s3 = boto3.client(
    "s3", endpoint_url=S3_ENDPOINT, aws_access_key_id=MOTO_KEY, aws_secret_access_key=MOTO_KEY, region_name="us-east-1"
)
objects = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
stored = [o["Key"] for o in objects if not o["Key"].startswith("staging/")]
check(len(stored) == 1, f"one evidence object in the bucket: {stored}")
body = s3.get_object(Bucket=BUCKET, Key=stored[0])["Body"].read()
with Image.open(io.BytesIO(body)) as image:
    check(0x8825 not in image.getexif() and 0x010F not in image.getexif(), "stored photo has no GPS/camera EXIF")
acl = s3.get_object_acl(Bucket=BUCKET, Key=stored[0])
public = [g for g in acl["Grants"] if "AllUsers" in str(g.get("Grantee", {}))]
check(not public, "evidence object is private (no AllUsers grant)")
on_disk = [p for p in Path(MEDIA_ROOT).rglob("*") if p.is_file()] if Path(MEDIA_ROOT).exists() else []
check(not on_disk, "nothing written to the local media folder")

# A short throughput figure: status-page GETs and /readyz through nginx, 8 client threads.
local = threading.local()


def one(path: str) -> float:
    if not hasattr(local, "client"):
        local.client = new_session()  # one kept-alive TLS connection per client thread
    start = time.perf_counter()
    response = local.client.get(f"{BASE}{path}", timeout=30)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code}")
    return time.perf_counter() - start


for path, n in (("/readyz", 400), ("/", 200)):
    start = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        latencies = sorted(pool.map(one, [path] * n))
    elapsed = time.perf_counter() - start
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    figures[f"GET {path} x{n}, 8 threads"] = (
        f"{n / elapsed:.0f} req/s, p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    )

print("\nfigures (through nginx → gunicorn → PostgreSQL/Redis/S3):")
for label, value in figures.items():
    print(f"  {label:32} {value}")
