"""Benchmark (issue #14 item 4): a campaign day against the production stack behind nginx, open loop.

The stack is started here, on ports 19410-19415 and its own PostgreSQL database
``netra_bench_ops_load_campaign`` (never the machine's services: PostgreSQL and Redis are only used):
nginx with TLS (deploy/nginx/netra.conf filled in as scripts/prod_check.sh does), gunicorn with
deploy/gunicorn.conf.py serving netra.wsgi with ``NETRA_ENV=production``, the task worker and the
scheduler, Redis db 9 of the machine's Redis as the cache. Beside it, behind the SAME nginx (a second
server block), the same gunicorn configuration serves bench/baseline_app.py (one INSERT per request).

Arrivals are open loop: one thread draws a Poisson schedule at the offered rate and hands each
arrival to a pool of client threads (one kept-alive TLS connection per thread and port); latency is
counted from the SCHEDULED moment, so time spent waiting for a free client or a busy server counts
(no coordinated omission). The campaign mix (of the offered rate):

    status   40 %  GET  /api/v1/public/reports/{code}    a reporter checks a receipt (X-Access-Key)
    submit   25 %  POST /api/v1/public/reports           a report of text and links (half with Idempotency-Key)
    photo     5 %  POST /api/v1/public/reports + POST …/evidence  a report with a 1280x960 JPEG (both, one latency)
    form      5 %  GET  /lapor/                          the report form page
    queue    10 %  GET  /staf/                           a Satgas officer's queue (signed in: password + TOTP)
    case      5 %  GET  /staf/kasus/{id}/                a case page
    move      3 %  POST /staf/kasus/{id}/langkah/…/      received → checking → verification (CSRF)
    agency    7 %  GET  /api/v1/cases?page_size=50       agency API polling with a Bearer token

Offered rates step up (CAMPAIGN_RATES, req/s in all); at each rate the baseline is offered the
same rate right before Netra (interleaved, so drift on the shared machine hits both alike). A
target is degraded at the first step whose p95 (all kinds) exceeds the SLO (150 ms) or whose
errors exceed 1 %; its higher steps are skipped. Printed per step and kind: offered, achieved,
p50/p95/p99, errors; the degradation point of each and the ratio Netra / baseline of the highest
rate within the SLO. The rate limits stay on (counted in Redis, as in production) with limits far
above the run's (every request comes from 127.0.0.1).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/campaign.py [--reuse]

--reuse keeps the database and var/bench-ops-load/ of a previous run (seeded reports, staff,
token, collected static files) and skips the preparation (about a minute). Knobs: CAMPAIGN_RATES
(2,5,10,20,40,80,120,160,240,320), CAMPAIGN_SECONDS measured per step (15), CAMPAIGN_WARMUP (3),
CAMPAIGN_CLIENTS client threads (192), GUNICORN_WORKERS / GUNICORN_WORKER_CLASS / GUNICORN_THREADS
(deploy/gunicorn.conf.py's defaults), NETRA_DB_POOL, CONN_MAX_AGE, CAMPAIGN_SCHEDULER (plain: as the
systemd unit runs it; nice: at nice 10).
"""

import contextlib
import hashlib
import hmac
import http.client
import io
import json
import os
import queue
import random
import re
import shutil
import signal
import ssl
import struct
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

STATE = ROOT / "var" / "bench-ops-load"
BENCH_DB = os.environ.get("CAMPAIGN_DB", "netra_bench_ops_load_campaign")
BASEPORT = int(os.environ.get("CAMPAIGN_PORT", "19410"))
PROXY_NETRA, PROXY_BASE, APP_NETRA, APP_BASE = BASEPORT, BASEPORT + 1, BASEPORT + 2, BASEPORT + 3
RATES = [float(r) for r in os.environ.get("CAMPAIGN_RATES", "2,5,10,20,40,80,120,160,240,320").split(",")]
SECONDS = float(os.environ.get("CAMPAIGN_SECONDS", "15"))
WARMUP = float(os.environ.get("CAMPAIGN_WARMUP", "3"))
CLIENTS = int(os.environ.get("CAMPAIGN_CLIENTS", "192"))
SLO_P95_MS, SLO_ERRORS = 150.0, 0.01
GIVE_UP = 5.0  # seconds after a step's end: what was not sent by then counts as failed
STAFF_AGENCY, STAFF_REGION, STAFF_USERS = "pemkab-katingan", "62.06", 4
SEED_STATUS, SEED_CASES, SEED_TRIAGED = 400, 2500, 40
PASSWORD = "Kampanye-bench-2026!"  # noqa: S105 (a throwaway account of the bench database)
MIX = [
    ("status", 0.40),
    ("submit", 0.25),
    ("photo", 0.05),
    ("form", 0.05),
    ("queue", 0.10),
    ("case", 0.05),
    ("move", 0.03),
    ("agency", 0.07),
]
KINDS = [kind for kind, _share in MIX]
# "plain": the scheduler as deploy/systemd/netra-scheduler.service runs it; "nice": at nice 10, so
# its triage yields the CPU to the web workers (what bench/load.py does by default).
SCHEDULER_MODE = os.environ.get("CAMPAIGN_SCHEDULER", "plain")
SCHEDULER_NICE = {"plain": [], "nice": ["nice", "-n", "10"]}[SCHEDULER_MODE]


def report_body(rng: random.Random, region: str) -> dict:
    """A valid, varied public report (bench/intake.py's texts, subjects and NIPs)."""
    import datetime

    from intake import WHAT, WHO, valid_nip

    today = datetime.datetime.now(datetime.UTC).date()
    report = {
        "description": " ".join(rng.choice(WHAT) for _ in range(rng.randint(1, 6))),
        "incident_date": (today - datetime.timedelta(days=rng.randint(1, 300))).isoformat(),
        "region_code": region,
        "location": rng.choice(["", "Balai desa", "Lapangan kecamatan", "Kantor dinas"]),
    }
    if rng.random() < 0.5:
        name, position, agency = rng.choice(WHO)
        report |= {"subject_name": name, "subject_position": position, "subject_agency": agency}
        if rng.random() < 0.5:
            report["subject_nip"] = valid_nip(rng)
    if rng.random() < 0.4:
        report["links"] = [f"https://www.facebook.com/share/p/{rng.getrandbits(48):x}/"]
    return report


# --- child: the Django side (preparation, the cases staff can move, final counts) -------------
def run_child(mode: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "netra.settings"
    import django

    django.setup()
    from django.db import connection

    from netra.cases.models import Case, Report

    if mode == "prepare":
        from django.core.management import call_command
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from netra.cases import intake
        from netra.cases.opening import open_pending
        from netra.catalog.models import Region
        from netra.orgs.demo import create_demo_agencies, ensure_demo_regions
        from netra.orgs.models import Membership, User
        from netra.sharing.tokens import issue_token

        call_command("migrate", verbosity=0)
        call_command("load_reference", stdout=open(os.devnull, "w"))  # noqa: SIM115
        ensure_demo_regions()
        agencies = create_demo_agencies()
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS bench_baseline (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL,"
                " created_at TIMESTAMP WITH TIME ZONE NOT NULL)"
            )
        staff = []
        for n in range(STAFF_USERS):
            user, _ = User.objects.update_or_create(
                username=f"bench.satgas{n}", defaults={"first_name": "Bench", "last_name": f"Satgas {n}"}
            )
            user.set_password(PASSWORD)
            user.save()
            Membership.objects.update_or_create(
                user=user, agency=agencies[STAFF_AGENCY], role=Membership.Role.SATGAS_OFFICER, defaults={"active": True}
            )
            TOTPDevice.objects.filter(user=user).delete()
            device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
            staff.append({"username": user.username, "key": device.key})
        token = issue_token(agency=agencies[STAFF_AGENCY], role=Membership.Role.SATGAS_OFFICER, name="bench").plaintext
        rng = random.Random(14)
        receipts = []
        for n in range(SEED_CASES):
            receipt = intake.report_submit(data=report_body(rng, STAFF_REGION))
            if n < SEED_STATUS:
                receipts.append([receipt.receipt_code, receipt.access_key])
            if n % 500 == 499:
                open_pending()
        open_pending()
        # The first seeded cases are triaged (the queue shows their chips and clusters); the rest
        # are marked done unscored, else the scheduler would spend the whole run triaging seeds.
        from django.utils import timezone

        from netra.cases.models import TriageResult
        from netra.cases.triage_flow import triage_pending

        triage_pending(max_batches=SEED_TRIAGED // 20)
        TriageResult.objects.filter(computed_at__isnull=True).update(computed_at=timezone.now())
        regions = list(Region.objects.filter(parent__isnull=False).values_list("code", flat=True))
        print(json.dumps({"staff": staff, "token": token, "receipts": receipts, "regions": regions}))
    elif mode == "state":
        # Cases the officers may still move this run: received → checking → verification.
        own = Case.objects.filter(agency__code=STAFF_AGENCY)
        print(
            json.dumps(
                {
                    "received": list(own.filter(status=Case.Status.RECEIVED).values_list("pk", flat=True)[:4000]),
                    "checking": list(own.filter(status=Case.Status.CHECKING).values_list("pk", flat=True)[:4000]),
                    "open_cases": list(own.values_list("pk", flat=True)[:500]),
                }
            )
        )
    else:
        from netra.audit.models import AuditEvent

        print(
            json.dumps(
                {
                    "reports": Report.objects.count(),
                    "reports_without_case": Report.objects.filter(case__isnull=True).count(),
                    "cases": Case.objects.count(),
                    "audit_unsealed": AuditEvent.objects.filter(seq__isnull=True).count(),
                }
            )
        )


def child(mode: str, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, f"--{mode}"], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-5000:])
        raise SystemExit(f"bench/campaign.py --{mode} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the stack --------------------------------------------------------------------------------
def stack_env(database_url: str) -> dict:
    var = STATE / "var"
    limits = "report=1000000/h,report_ceiling=1000000/h,evidence=1000000/h,status=1000000/m,message=1000000/h"
    return {
        **os.environ,
        "NETRA_ENV": "production",
        "DEBUG": "0",
        "NETRA_DEMO": "0",
        # Fixed: the seeded access keys (hashed with keys derived from these) must open a --reuse run.
        "SECRET_KEY": "bench-ops-load-" + "k" * 48,
        "NETRA_AUDIT_KEY": "bench-ops-load-audit-" + "a" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "NETRA_TRUSTED_PROXIES": "127.0.0.1",
        "NETRA_VAR_DIR": str(var),
        "MEDIA_ROOT": str(var / "media"),
        "DATABASE_URL": database_url,
        "CACHE_URL": os.environ.get("CAMPAIGN_CACHE_URL", "redis://127.0.0.1:6379/9"),
        "NETRA_RATE_LIMITS": limits,
        "NETRA_SCHEDULE_MINUTES": "15",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_LOG_LEVEL": "warning",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def nginx_conf(cert: Path, key: Path) -> str:
    template = (ROOT / "deploy" / "nginx" / "netra.conf").read_text()
    servers = []
    for listen, upstream, name in ((PROXY_NETRA, APP_NETRA, "netra_app"), (PROXY_BASE, APP_BASE, "baseline_app")):
        block = (
            template.replace("@LISTEN@", f"127.0.0.1:{listen} ssl")
            .replace("@SERVER_NAME@", "127.0.0.1")
            .replace("@UPSTREAM@", f"127.0.0.1:{upstream}")
            .replace("@STATIC_ROOT@", str(STATE / "var" / "static"))
            .replace("@ACCESS_LOG@", "off" if name == "baseline_app" else str(STATE / "logs" / "access.log"))
            .replace("# ssl_certificate     /etc/ssl/netra/fullchain.pem;", f"ssl_certificate {cert};")
            .replace("# ssl_certificate_key /etc/ssl/netra/privkey.pem;", f"ssl_certificate_key {key};")
            .replace("netra_app", name)
        )
        if name == "baseline_app":
            block = block.replace("log_format netra_noaddr", "# log_format netra_noaddr").replace(
                "access_log off netra_noaddr;", "access_log off;"
            )
        servers.append(block)
    work = STATE / "nginx"
    temp = " ".join(f"{kind}_temp_path {work}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"pid {work}/nginx.pid; error_log {STATE}/logs/nginx-error.log; worker_processes 1;\n"
        "events { worker_connections 1024; }\n"
        f"http {{ include /etc/nginx/mime.types; default_type application/octet-stream; {temp}\n"
        + "\n".join(servers)
        + "\n}\n"
    )


class Stack:
    def __init__(self, env: dict):
        self.env, self.procs = env, []

    def spawn(self, name: str, command: list[str], env: dict) -> None:
        log = open(STATE / "logs" / f"{name}.log", "ab")  # noqa: SIM115 (kept open for the process)
        self.procs.append(subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True))

    def start(self) -> None:
        (STATE / "logs").mkdir(parents=True, exist_ok=True)
        (STATE / "nginx").mkdir(parents=True, exist_ok=True)
        bindir = Path(sys.executable).parent
        gunicorn = [str(bindir / "gunicorn"), "-c", "deploy/gunicorn.conf.py"]
        self.spawn("gunicorn-netra", [*gunicorn, "netra.wsgi"], self.env | {"GUNICORN_BIND": f"127.0.0.1:{APP_NETRA}"})
        self.spawn(
            "gunicorn-baseline",
            [*gunicorn, "--pythonpath", str(ROOT / "bench"), "baseline_app:application"],
            self.env | {"GUNICORN_BIND": f"127.0.0.1:{APP_BASE}"},
        )
        manage = [sys.executable, "manage.py"]
        self.spawn("worker", [*manage, "db_worker", "--queue-name", "*"], self.env)
        self.spawn("scheduler", [*SCHEDULER_NICE, *manage, "scheduler"], self.env)
        cert, key = STATE / "nginx" / "cert.pem", STATE / "nginx" / "key.pem"
        if not cert.exists():
            subprocess.run(
                [
                    *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30"),
                    *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
                    *("-keyout", str(key), "-out", str(cert)),
                ],
                check=True,
                capture_output=True,
            )
        conf = STATE / "nginx" / "nginx.conf"
        conf.write_text(nginx_conf(cert, key))
        subprocess.run(["nginx", "-p", str(STATE / "nginx"), "-c", str(conf), "-t", "-q"], check=True)
        subprocess.run(["nginx", "-p", str(STATE / "nginx"), "-c", str(conf)], check=True)
        # nginx's workers (www-data when started as root) read the static files: traverse rights only.
        for folder in (ROOT / "var", STATE, STATE / "var"):
            folder.chmod(folder.stat().st_mode | 0o711)
        self.ctx = ssl.create_default_context(cafile=str(cert))
        deadline = time.monotonic() + 60
        for port, path in ((PROXY_NETRA, "/healthz"), (PROXY_BASE, "/baseline")):
            while True:
                try:
                    conn = http.client.HTTPSConnection("127.0.0.1", port, context=self.ctx, timeout=5)
                    conn.request("GET", path)
                    status = conn.getresponse().status
                    conn.close()
                    if status not in (502, 503, 504):  # the application answered (the baseline: 500 to a GET)
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"the stack did not answer on {port}{path}: see {STATE}/logs")
                time.sleep(0.3)

    def stop(self) -> None:
        conf = STATE / "nginx" / "nginx.conf"
        if (STATE / "nginx" / "nginx.pid").exists():
            subprocess.run(["nginx", "-p", str(STATE / "nginx"), "-c", str(conf), "-s", "stop"], check=False)
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def cpu(self) -> float:
        """CPU seconds so far of the Netra stack's processes (gunicorn master + workers, worker, scheduler)."""
        from intake import process_tree_cpu

        return sum(process_tree_cpu(p.pid) for i, p in enumerate(self.procs) if i != 1)


# --- the clients ------------------------------------------------------------------------------
def totp(key_hex: str, at: float | None = None) -> str:
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def photo_jpeg() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1280, 960), (90, 120, 160))
    draw = ImageDraw.Draw(image)
    rng = random.Random(7)
    for _ in range(300):  # some detail, so the JPEG is not trivially small (about 100 kB)
        x, y = rng.randrange(1280), rng.randrange(960)
        draw.rectangle(
            [x, y, x + rng.randrange(5, 80), y + rng.randrange(5, 80)], fill=tuple(rng.choices(range(256), k=3))
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body


class Client:
    """One client thread's kept-alive TLS connections, one per port."""

    def __init__(self, ctx: ssl.SSLContext):
        self.ctx, self.conns = ctx, {}

    def request(self, port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = {"Host": f"127.0.0.1:{port}", **(headers or {})}
        for attempt in (0, 1):
            conn = self.conns.get(port)
            fresh = conn is None
            if fresh:
                conn = self.conns[port] = http.client.HTTPSConnection("127.0.0.1", port, context=self.ctx, timeout=30)
            try:
                conn.request(method, path, body, headers)
                answer = conn.getresponse()
                data = answer.read()
                if answer.will_close:
                    conn.close()
                    del self.conns[port]
                return Response(answer.status, answer.msg, data)
            except (OSError, http.client.HTTPException):
                conn.close()
                self.conns.pop(port, None)
                if fresh or attempt:  # a kept-alive connection the server had closed: once more, anew
                    raise
        raise AssertionError("unreachable")


def cookies_from(response: Response, jar: dict) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def cookie_header(jar: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def csrf_field(html: bytes) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not found:
        raise SystemExit("no CSRF token on the page")
    return found.group(1).decode()


def sign_in(ctx: ssl.SSLContext, staff: dict) -> dict:
    """Password then TOTP, through nginx like a browser; returns the signed-in cookie jar."""
    client, jar, base = Client(ctx), {}, f"https://127.0.0.1:{PROXY_NETRA}"
    page = client.request(PROXY_NETRA, "GET", "/staf/masuk/")
    cookies_from(page, jar)
    form = {"csrfmiddlewaretoken": csrf_field(page.body), "username": staff["username"], "password": PASSWORD}
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"{base}/staf/masuk/"}
    from urllib.parse import urlencode

    sent = client.request(
        PROXY_NETRA, "POST", "/staf/masuk/", urlencode(form).encode(), headers | {"Cookie": cookie_header(jar)}
    )
    cookies_from(sent, jar)
    page = client.request(PROXY_NETRA, "GET", "/staf/verifikasi/", headers={"Cookie": cookie_header(jar)})
    cookies_from(page, jar)
    form = {"csrfmiddlewaretoken": csrf_field(page.body), "token": totp(staff["key"])}
    headers["Referer"] = f"{base}/staf/verifikasi/"
    sent = client.request(
        PROXY_NETRA, "POST", "/staf/verifikasi/", urlencode(form).encode(), headers | {"Cookie": cookie_header(jar)}
    )
    cookies_from(sent, jar)
    home = client.request(PROXY_NETRA, "GET", "/staf/", headers={"Cookie": cookie_header(jar)})
    cookies_from(home, jar)
    if home.status != 200 or "sessionid" not in jar:
        raise SystemExit(f"staff sign-in of {staff['username']} failed: {sent.status} then {home.status}")
    return jar


class Campaign:
    """What the request kinds need: seeds, staff sessions, the cases still to move."""

    def __init__(self, ctx, seeds: dict, state: dict, jars: list[dict]):
        self.ctx, self.seeds, self.jars = ctx, seeds, jars
        self.received, self.checking = list(state["received"]), list(state["checking"])
        self.open_cases = state["open_cases"] or [0]
        self.lock = threading.Lock()
        rng = random.Random(41)
        regions = seeds["regions"]
        self.bodies = [json.dumps(report_body(rng, rng.choice(regions))).encode() for _ in range(1500)]
        self.photo = photo_jpeg()

    def next_move(self) -> tuple[int, str] | None:
        with self.lock:
            if self.checking and (not self.received or random.random() < 0.5):
                return self.checking.pop(), "verification"
            if self.received:
                case = self.received.pop()
                self.checking.insert(0, case)
                return case, "checking"
        return None

    def run(self, client: Client, kind: str, rng: random.Random) -> bool:
        """One request (two for a photo) of ``kind`` through nginx; True when answered as expected."""
        port, json_headers = PROXY_NETRA, {"Content-Type": "application/json", "Accept": "application/json"}
        if kind == "status":
            code, key = rng.choice(self.seeds["receipts"])
            answer = client.request(port, "GET", f"/api/v1/public/reports/{code}", headers={"X-Access-Key": key})
            return answer.status == 200
        if kind in ("submit", "photo"):
            headers = dict(json_headers)
            if rng.random() < 0.5:
                headers["Idempotency-Key"] = uuid.uuid4().hex
            answer = client.request(port, "POST", "/api/v1/public/reports", rng.choice(self.bodies), headers)
            if answer.status != 201 or kind == "submit":
                return answer.status == 201
            receipt = json.loads(answer.body)
            boundary = uuid.uuid4().hex
            body = (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="foto.jpg"\r\n'
                    "Content-Type: image/jpeg\r\n\r\n"
                ).encode()
                + self.photo
                + f"\r\n--{boundary}--\r\n".encode()
            )
            answer = client.request(
                port,
                "POST",
                f"/api/v1/public/reports/{receipt['receipt_code']}/evidence",
                body,
                {"Content-Type": f"multipart/form-data; boundary={boundary}", "X-Access-Key": receipt["access_key"]},
            )
            return answer.status == 201
        if kind == "form":
            return client.request(port, "GET", "/lapor/").status == 200
        if kind == "agency":
            auth = {"Authorization": f"Bearer {self.seeds['token']}", "Accept": "application/json"}
            return client.request(port, "GET", "/api/v1/cases?page_size=50", headers=auth).status == 200
        jar = rng.choice(self.jars)
        cookie = {"Cookie": cookie_header(jar)}
        if kind == "queue":
            return client.request(port, "GET", "/staf/", headers=cookie).status == 200
        if kind == "case":
            return (
                client.request(port, "GET", f"/staf/kasus/{rng.choice(self.open_cases)}/", headers=cookie).status == 200
            )
        if kind == "move":
            move = self.next_move()
            if move is None:
                return client.request(port, "GET", "/staf/", headers=cookie).status == 200
            case, action = move
            headers = cookie | {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"https://127.0.0.1:{port}/staf/kasus/{case}/",
                "X-CSRFToken": jar["csrftoken"],
            }
            answer = client.request(port, "POST", f"/staf/kasus/{case}/langkah/{action}/", b"", headers)
            # A move that succeeded redirects to the case page; a refusal re-renders the form (200/4xx).
            return answer.status == 302
        raise ValueError(kind)


def baseline_run(client: Client, kind: str, rng: random.Random, body: bytes) -> bool:
    answer = client.request(PROXY_BASE, "POST", "/baseline", body, {"Content-Type": "application/json"})
    return answer.status == 201


def step(rate: float, work, seconds: float) -> dict:
    """Offer ``rate`` req/s (Poisson arrivals) for WARMUP + ``seconds``; per kind: latencies, errors."""
    jobs: queue.Queue = queue.Queue()
    results: list[tuple[str, float, bool, bool]] = []  # kind, latency s, ok, measured
    lock = threading.Lock()
    errors_seen: dict[str, str] = {}

    def worker(index: int, ctx) -> None:
        client, rng = Client(ctx), random.Random(index * 7919 + int(rate))
        while True:
            job = jobs.get()
            if job is None:
                return
            scheduled, kind, measured = job
            if time.perf_counter() > end + GIVE_UP:
                # Far behind (the step is over and this was never sent): a failure, not a wait of minutes.
                with lock:
                    results.append((kind, time.perf_counter() - scheduled, False, measured))
                errors_seen.setdefault(kind, f"not sent within {GIVE_UP:g} s of the step's end")
                continue
            try:
                ok = work(client, kind, rng)
            except (OSError, http.client.HTTPException, ValueError, KeyError) as error:
                ok = False
                errors_seen.setdefault(kind, repr(error)[:200])
            latency = time.perf_counter() - scheduled
            with lock:
                results.append((kind, latency, ok, measured))

    began = time.perf_counter()
    measure_from, end = began + WARMUP, began + WARMUP + seconds
    threads = [threading.Thread(target=worker, args=(i, CTX), daemon=True) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    rng = random.Random(int(rate * 1000))
    weights = [share for _kind, share in MIX]
    at, offered = began, 0
    while True:
        at += rng.expovariate(rate)
        if at >= end:
            break
        kind = rng.choices(KINDS, weights)[0]
        if (pause := at - time.perf_counter()) > 0:
            time.sleep(pause)
        measured = at >= measure_from
        offered += measured
        jobs.put((at, kind, measured))
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join(timeout=60)
    rows = {}
    for kind in [*KINDS, "all"]:
        mine = [(lat, ok) for k, lat, ok, m in results if m and (kind == "all" or k == kind)]
        oks = sorted(lat for lat, ok in mine if ok)
        if not mine:
            continue

        def pct(q: float, oks=oks) -> float:
            return oks[min(len(oks) - 1, int(len(oks) * q))] * 1000 if oks else float("nan")

        rows[kind] = {
            "offered": len(mine) / seconds,
            "achieved": len(oks) / seconds,
            "p50": pct(0.50),
            "p95": pct(0.95),
            "p99": pct(0.99),
            "errors": len(mine) - len(oks),
            "requests": len(mine),
        }
    rows["all"]["offered_rate"] = rate
    rows["errors_seen"] = errors_seen
    return rows


def degraded(row: dict) -> bool:
    total = row["all"]
    return not total["p95"] < SLO_P95_MS or total["errors"] > SLO_ERRORS * total["requests"]  # NaN: none answered


def show(target: str, rate: float, rows: dict) -> None:
    total = rows["all"]
    verdict = "DEGRADED" if degraded(rows) else "ok"
    print(
        f"{target:<8} {rate:>5g} req/s offered: achieved {total['achieved']:6.1f}  p50 {total['p50']:7.1f}"
        f"  p95 {total['p95']:7.1f}  p99 {total['p99']:7.1f} ms  errors {total['errors']}/{total['requests']}  {verdict}",
        flush=True,
    )
    if target == "netra":
        for kind in KINDS:
            if kind in rows:
                r = rows[kind]
                print(
                    f"    {kind:<7} offered {r['offered']:6.1f} achieved {r['achieved']:6.1f}  p50 {r['p50']:7.1f}"
                    f"  p95 {r['p95']:7.1f}  p99 {r['p99']:7.1f} ms  errors {r['errors']}",
                    flush=True,
                )
    for kind, error in rows.get("errors_seen", {}).items():
        print(f"    first error of {kind}: {error}", flush=True)


def admin_and_bench_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return (
        urlunsplit(parts._replace(scheme="postgresql", path="/postgres")),
        urlunsplit(parts._replace(scheme="postgresql", path=f"/{BENCH_DB}")),
    )


CTX: ssl.SSLContext


def main() -> None:
    global CTX
    if len(sys.argv) > 1 and sys.argv[1] in ("--prepare", "--state", "--count"):
        run_child(sys.argv[1][2:])
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "bench/campaign.py runs on PostgreSQL: DATABASE_URL=postgres://… (any database: it uses its own)"
        )
    reuse = "--reuse" in sys.argv
    import psycopg

    admin, bench_url = admin_and_bench_url(url)
    env = stack_env(bench_url)
    seeds_file = STATE / "seeds.json"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not (reuse and exists and seeds_file.exists()):
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
            reuse = False
    print(
        f"campaign day: rates {RATES} req/s (Poisson, open loop), {WARMUP:g} s warm-up + {SECONDS:g} s per step and"
        f" target; {CLIENTS} client threads; SLO p95 < {SLO_P95_MS:.0f} ms, errors <= {SLO_ERRORS:.0%};"
        f" gunicorn (deploy/gunicorn.conf.py) class {env.get('GUNICORN_WORKER_CLASS', 'default')}"
        f" workers {env.get('GUNICORN_WORKERS', 'default')} threads {env.get('GUNICORN_THREADS', 'default')},"
        f" pool {env.get('NETRA_DB_POOL', '0')};"
        f" scheduler {SCHEDULER_MODE};"
        f" {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before",
        flush=True,
    )
    began = time.perf_counter()
    if not reuse:
        shutil.rmtree(STATE / "var" / "media", ignore_errors=True)
        (STATE / "var").mkdir(parents=True, exist_ok=True)
        seeds = child("prepare", env)
        seeds_file.write_text(json.dumps(seeds))
        if not (STATE / "var" / "static" / "staticfiles.json").exists():
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                env=env,
                cwd=ROOT,
                check=True,
            )
        print(f"prepared in {time.perf_counter() - began:.0f} s ({SEED_CASES} reports opened as cases)", flush=True)
    else:
        seeds = json.loads(seeds_file.read_text())
        print("reusing the database and var/bench-ops-load/ of the previous run", flush=True)
    state = child("state", env)
    stack = Stack(env)
    results: dict[str, list] = {"baseline": [], "netra": []}
    try:
        stack.start()
        CTX = stack.ctx
        jars = [sign_in(CTX, staff) for staff in seeds["staff"]]
        campaign = Campaign(CTX, seeds, state, jars)
        print(
            f"stack up, {len(jars)} officers signed in; {len(state['received'])} cases to start checking,"
            f" {len(state['checking'])} to verify\n",
            flush=True,
        )
        bodies = campaign.bodies
        # Service time of each kind one at a time (also warms every worker's caches and templates).
        probe = Client(CTX)
        rng = random.Random(3)
        print("one request at a time (median of 6 / max, ms):", flush=True)
        for kind in KINDS:
            times = []
            for _ in range(6):
                t0 = time.perf_counter()
                ok = campaign.run(probe, kind, rng)
                times.append((time.perf_counter() - t0) * 1000)
                if not ok:
                    print(f"    {kind}: a request failed", flush=True)
            times.sort()
            print(f"    {kind:<7} {times[3]:7.1f} / {times[-1]:7.1f}", flush=True)
        print(flush=True)
        if "--probe" in sys.argv:
            return

        def base_work(client, kind, rng):
            return baseline_run(client, kind, rng, rng.choice(bodies))

        live = {"baseline": True, "netra": True}
        for rate in RATES:
            for target, work in (("baseline", base_work), ("netra", campaign.run)):
                if not live[target]:
                    continue
                cpu0 = stack.cpu()
                rows = step(rate, work, SECONDS)
                rows["stack_cpu"] = (stack.cpu() - cpu0) / (SECONDS + WARMUP)
                show(target, rate, rows)
                results[target].append(rows)
                live[target] = not degraded(rows)
            if not any(live.values()):
                break
        counts = child("count", env)
    finally:
        stack.stop()

    def within(rows: list) -> float:
        return max((r["all"]["offered_rate"] for r in rows if not degraded(r)), default=0.0)

    def first_bad(rows: list) -> str:
        bad = next((r for r in rows if degraded(r)), None)
        return f"{bad['all']['offered_rate']:g} req/s" if bad else f"not reached (≤ {RATES[-1]:g} req/s offered)"

    base, netra = within(results["baseline"]), within(results["netra"])
    print(f"\nSLO: p95 < {SLO_P95_MS:.0f} ms over all requests of a step and errors <= {SLO_ERRORS:.0%}")
    print(
        f"  baseline (one INSERT): highest rate within the SLO {base:g} req/s; degrades at {first_bad(results['baseline'])}"
    )
    print(
        f"  netra (campaign mix):  highest rate within the SLO {netra:g} req/s; degrades at {first_bad(results['netra'])}"
    )
    ratio = netra / base if base else float("nan")
    print(f"  ratio netra / baseline at the SLO: {ratio:.2f}")
    print(f"  database afterwards: {counts}; load average now {os.getloadavg()[0]:.1f}")
    print(f"  re-run on the same data: DATABASE_URL={url} {sys.executable} bench/campaign.py --reuse")


if __name__ == "__main__":
    main()
