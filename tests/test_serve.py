"""`elig serve`'s JSON API and pages through httpx (FastAPI's test client): the same contract as
the command line, errors as JSON naming the field and the nearest values, never a stack, limits
on bodies and rows, uploads that leave nothing behind, security headers, values escaped."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from fastapi.testclient import TestClient

from elig.cli import main
from elig.serve import state
from elig.serve.app import Settings, create_app

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "profiles" / "startup-haidian-ai.yaml"
AS_OF = "2026-11-24"
FIRMS = "企业名称,企业类型,所属省份,所在区,资质\n甲,企业,北京市,海淀区,国家高新技术企业\n乙,公思,北京市,,\n"


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(Settings(max_body=64 << 10, max_rows=5)), raise_server_exceptions=False)


def _profile() -> dict:
    return yaml.safe_load(PROFILE.read_text(encoding="utf-8"))


def test_check_gives_what_the_command_line_gives(client):
    response = client.post(f"/api/v1/check?as_of={AS_OF}", content=json.dumps(_profile(), ensure_ascii=False))
    assert response.status_code == 200
    cli = json.loads(CliRunner().invoke(main, ["check", str(PROFILE), "--format", "json", "--as-of", AS_OF]).output)
    assert response.json() == cli


@pytest.mark.parametrize("body, status, message", [
    ('{"org_type": "企叶"}', 400, "request body:1: org_type: unknown value '企叶'; did you mean 企业?"),
    ('{"org_type": "企业", "colour": 1}', 400, "unknown key 'colour' in profile; allowed: name, org_type"),
    ('{"org_type": ', 400, "request body:2: not valid YAML"),
    ('["企业"]', 400, "a profile is a mapping of keys"),
])
def test_bad_profiles_get_the_command_lines_message_as_json(client, body, status, message):
    response = client.post("/api/v1/check", content=body)
    assert response.status_code == status and message in response.json()["error"]


def test_a_bad_date_names_it(client):
    response = client.post("/api/v1/check?as_of=2026-13-01", content="{}")
    assert response.status_code == 400 and response.json() == {"error": "as_of: '2026-13-01' is not a date (YYYY-MM-DD)"}


def test_a_body_over_the_limit_is_refused_with_413(client):
    response = client.post("/api/v1/check", content=json.dumps({"name": "x" * (70 << 10)}))
    assert response.status_code == 413 and "larger than the limit of 65,536 bytes" in response.json()["error"]


def test_an_internal_error_shows_no_stack(monkeypatch):
    from elig.serve import app as served

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail at /some/path.py line 3")

    monkeypatch.setattr(served, "check_text", broken)
    response = TestClient(create_app(), raise_server_exceptions=False).post("/api/v1/check", content="{}")
    assert response.status_code == 500 and response.json() == {"error": "internal error"}
    assert "secret" not in response.text and "Traceback" not in response.text


def test_measures_vocabularies_and_health(client):
    measures = client.get("/api/v1/measures").json()
    assert len(measures) == 268 and {"id", "title", "document", "section", "kind"} <= set(measures[0])
    one = client.get("/api/v1/measures/zgc22-01a-high-growth-small-firms").json()
    assert one["citations"][0]["quote"].startswith("支持高精尖产业具有较好市场前景")
    assert "did you mean zgc22-01a-high-growth-small-firms," in client.get("/api/v1/measures/zgc2201a").json()["error"]
    assert "国家高新技术企业" in {e["id"] for e in client.get("/api/v1/vocabularies").json()["tags"]}
    assert client.get("/healthz").json()["status"] == "ok"


def test_openapi_documents_the_api_and_docs_load_nothing_from_elsewhere(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/check", "/api/v1/screen", "/api/v1/measures", "/api/v1/measures/{measure_id}",
            "/api/v1/vocabularies", "/healthz"} <= set(paths)
    docs = client.get("/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


def test_screen_returns_every_row_and_leaves_no_file(client, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    response = client.post(f"/api/v1/screen?as_of={AS_OF}", files={"file": ("../../etc/firms.csv", FIRMS.encode())})
    assert response.status_code == 200
    lines = response.text.lstrip("\ufeff").splitlines()
    assert len(lines) == 3 and lines[0].endswith("eligible,possible,n_eligible,n_possible,warnings,error")
    assert "org_type: unknown value '公思'" in lines[2]
    assert list(tmp_path.iterdir()) == []  # the upload and its result are deleted


def test_screen_limits_rows_and_refuses_what_it_cannot_read(client):
    many = "企业名称,企业类型\n" + "".join(f"{i},企业\n" for i in range(6))
    response = client.post("/api/v1/screen", files={"file": ("firms.csv", many.encode())})
    assert response.status_code == 400 and "more than 5 rows, the limit of this server" in response.json()["error"]
    response = client.post("/api/v1/screen", files={"file": ("firms.exe", b"MZ")})
    assert response.status_code == 400 and "not a list elig reads" in response.json()["error"]


def test_pages_carry_the_security_headers_and_escape_values(client):
    profile = {"name": "<script>alert(1)</script>", "org_type": "企业"}
    page = client.get(f"/result?profile={state.encode(profile)}")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self' 'sha256-" in policy and "unsafe-inline" not in \
        policy.split("script-src")[1].split(";")[0]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert client.get("/result?profile=not-a-profile").status_code == 400


def test_the_form_turns_answers_into_the_profile_and_unknown_stays_unknown(client):
    response = client.post("/check", data={"lang": "en", "org_type": "企业", "province": "北京市", "district": "海淀区",
                                           "tag:国家高新技术企业": "held", "tag:专精特新中小企业": "not",
                                           "tag:科技型中小企业": "", "zone:中关村示范区": "held", "stage": ""},
                           follow_redirects=False)
    assert response.status_code == 303
    token = response.headers["location"].split("profile=")[1]
    assert state.decode(token) == {"org_type": "企业", "location": {"province": "北京市", "district": "海淀区",
                                                                   "zones": ["中关村示范区"]},
                                   "tags": ["国家高新技术企业"], "not_tags": ["专精特新中小企业"]}
    refused = client.post("/check", data={"province": "上海市", "district": "海淀区"})
    assert refused.status_code == 400 and "海淀区" in refused.text and 'role="alert"' in refused.text


def test_serve_binds_loopback_by_default():
    from elig.cli import serve

    host = next(p for p in serve.params if p.name == "host")
    assert host.default == "127.0.0.1"
