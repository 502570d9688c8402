"""The web application of `elig serve`: pages and the JSON API over the same engine functions
as the command line. One rule base is loaded per process and shared; nothing else is shared
between requests (a page's state is in its URL). durable-rules' hosts are not thread-safe, so
the checks of a process take turns (`--workers` gives more processes)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from elig.check import render
from elig.check.ask_session import gloss
from elig.check.context import Contexts
from elig.check.interview import Interview
from elig.check.render_json import check_json
from elig.check.run import check_text, find_measure
from elig.decide import checker_for
from elig.errors import EligError
from elig.models import Profile
from elig.serve import forms, state
from elig.serve.guard import Guard, content_security_policy

HERE = Path(__file__).resolve().parent
FORMATS = {"json": "application/json", "md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}
SCREEN_FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument."
                  "spreadsheetml.sheet", "jsonl": "application/x-ndjson"}


@dataclass(frozen=True)
class Settings:
    rules: Path | None = None
    max_body: int = 20 << 20  # bytes of a request body (an upload included)
    max_rows: int = 200_000  # rows of an uploaded list

    @classmethod
    def from_env(cls) -> Settings:
        """What `elig serve` passes to each worker process (uvicorn starts them by import)."""
        rules = os.environ.get("ELIG_SERVE_RULES")
        return cls(Path(rules) if rules else None, int(os.environ.get("ELIG_SERVE_MAX_BODY", cls.max_body)),
                   int(os.environ.get("ELIG_SERVE_MAX_ROWS", cls.max_rows)))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    checker = checker_for(settings.rules)
    base = checker.base
    turn = threading.Lock()
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["j2", "html"]))
    api = FastAPI(title="elig", version=base.version, docs_url=None, redoc_url=None,
                  description="Which Beijing / Zhongguancun support measures apply to an applicant, and which "
                              "words of which document say so.")
    from swagger_ui_bundle import swagger_ui_path  # Swagger UI's files, served from here (no CDN)

    api.mount("/static/swagger", StaticFiles(directory=swagger_ui_path), name="swagger")  # before /static
    api.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def page(name: str, status: int = 200, **context) -> HTMLResponse:
        html = env.get_template(name).render(version=base.version, **context)
        return HTMLResponse(html, status, headers={"content-security-policy": content_security_policy(html)})

    def is_api(request: Request) -> bool:
        """Errors as JSON: for the API, and for the pages' own scripts (they ask for JSON)."""
        return request.url.path.startswith("/api/") or request.headers.get("accept") == "application/json"

    @api.exception_handler(EligError)
    async def _bad_input(request: Request, exc: EligError):
        if is_api(request):
            return JSONResponse({"error": str(exc)}, 400)
        return page("error.html.j2", 400, message=str(exc))

    @api.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        if is_api(request):
            return JSONResponse({"error": problems}, 422)
        return page("error.html.j2", 422, message=problems)

    @api.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):
        if is_api(request):
            return JSONResponse({"error": str(exc.detail)}, exc.status_code)
        return page("error.html.j2", exc.status_code, message=str(exc.detail))

    @api.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception):  # never a stack to the client
        return JSONResponse({"error": "internal error"}, 500)

    def as_of_of(value: str | None) -> dt.date:
        if not value:
            return dt.date.today()
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise EligError(f"as_of: {value!r} is not a date (YYYY-MM-DD)") from None

    def check(profile: dict, as_of: dt.date, name: str = "profile"):
        with turn:
            return check_text(name, json.dumps(profile, ensure_ascii=False), checker, as_of)

    # ---- pages -------------------------------------------------------------------------------

    @api.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index():
        return page("index.html.j2", n_rules=len(base.rules), documents=list(base.documents.values()))

    @api.get("/check", response_class=HTMLResponse, include_in_schema=False)
    def check_form(lang: str = "zh", profile: str = "", as_of: str = ""):
        given = state.decode(profile) if profile else {}
        return page("check.html.j2", form=forms.build_form(base.taxonomy, _lang(lang), given), lang=_lang(lang),
                    as_of=as_of)

    @api.post("/check", include_in_schema=False)
    async def check_submit(request: Request):
        data = await request.form()
        lang, as_of = _lang(str(data.get("lang", "zh"))), str(data.get("as_of", ""))
        profile = forms.profile_of_form([(k, str(v)) for k, v in data.multi_items() if k not in ("lang", "as_of")])
        try:
            await run_in_threadpool(check, profile, as_of_of(as_of), "form")
        except EligError as exc:
            return page("check.html.j2", 400, form=forms.build_form(base.taxonomy, lang, profile), lang=lang,
                        error=str(exc), as_of=as_of)
        dated = f"&as_of={as_of}" if as_of else ""
        return RedirectResponse(f"/result?lang={lang}{dated}&profile={state.encode(profile)}", 303)

    @api.get("/result", response_class=HTMLResponse, include_in_schema=False)
    def result_page(profile: str, lang: str = "zh", as_of: str | None = None, all: bool = False):
        given = state.decode(profile)
        result = check(given, as_of_of(as_of))
        token, dated = state.encode(given), f"&as_of={as_of}" if as_of else ""
        links = [("edit this profile", f"/check?lang={lang}{dated}&profile={token}"),
                 *[(f"download {f}", f"/result.{f}?profile={token}{dated}") for f in FORMATS]]
        html = render(result, "html", base, all, links=links)
        return HTMLResponse(html, headers={"content-security-policy": content_security_policy(html)})

    @api.get("/result.{fmt}", include_in_schema=False)
    def result_download(fmt: str, profile: str, as_of: str | None = None):
        if fmt not in FORMATS:
            raise HTTPException(404, f"no such format {fmt!r}; formats: {', '.join(FORMATS)}")
        result = check(state.decode(profile), as_of_of(as_of))
        return PlainTextResponse(render(result, fmt, base), media_type=FORMATS[fmt],
                                 headers={"content-disposition": f'attachment; filename="elig-check.{fmt}"'})

    @api.get("/measures/{measure_id}", response_class=HTMLResponse, include_in_schema=False)
    def measure_page(measure_id: str):
        rule = _rule(measure_id)
        doc = base.document(rule).model
        contexts = Contexts(base)
        return page("measure.html.j2", rule=rule.model, doc=doc, contexts=contexts,
                    scope=doc.scope if rule.model.inherit_scope else ())

    @api.get("/audit", response_class=HTMLResponse, include_in_schema=False)
    def audit_page():
        from elig.audit import audit, render_audit_html

        html = render_audit_html(audit(settings.rules))
        return HTMLResponse(html, headers={"content-security-policy": content_security_policy(html)})

    @api.get("/ask", response_class=HTMLResponse, include_in_schema=False)
    def ask_page(s: str = "", lang: str = "zh"):
        with turn:
            interview = _interview(s, lang)
            question = interview.next_question()
            counts = interview.statuses()
        if question is None:
            return RedirectResponse(f"/result?lang={interview.lang}&profile={state.encode(interview.profile)}", 303)
        return _ask_view(question, counts, _ask_token(interview), interview.lang)

    @api.post("/ask", include_in_schema=False)
    async def ask_answer(request: Request):
        data = await request.form()
        return await run_in_threadpool(_answer, data)

    def _answer(data):
        token, lang = str(data.get("s", "")), _lang(str(data.get("lang", "zh")))
        with turn:
            interview = _interview(token, lang)
            if data.get("stop"):
                return RedirectResponse(f"/result?lang={lang}&profile={state.encode(interview.profile)}", 303)
            question = interview.next_question()
            if question is None:
                return RedirectResponse(f"/ask?lang={lang}&s={token}", 303)
            typed = str(data.get("answer", "")).strip()
            picked = [str(v) for v in data.getlist("choice")]
            raw = typed or " ".join(picked + (["0"] if data.get("none_else") else []))
            if data.get("unknown"):
                raw = ""
            try:
                interview.answer(question, raw)
            except EligError as exc:
                return _ask_view(question, interview.statuses(), token, lang, str(exc))
            return RedirectResponse(f"/ask?lang={lang}&s={_ask_token(interview)}", 303)

    @api.get("/screen", response_class=HTMLResponse, include_in_schema=False)
    def screen_page():
        return page("screen.html.j2", max_mb=settings.max_body >> 20, max_rows=settings.max_rows)

    @api.post("/screen", include_in_schema=False)
    def screen_submit(file: Annotated[UploadFile, File()], format: Annotated[str, Form()] = "csv",
                      as_of: Annotated[str, Form()] = ""):
        return _screen(file, format, as_of)

    @api.get("/docs", include_in_schema=False)
    def docs():
        response = get_swagger_ui_html(openapi_url="/openapi.json", title="elig API",
                                       swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                                       swagger_css_url="/static/swagger/swagger-ui.css",
                                       swagger_favicon_url="/static/swagger/favicon-32x32.png")
        html = response.body.decode()
        return HTMLResponse(html, headers={"content-security-policy": content_security_policy(html)})

    # ---- API ---------------------------------------------------------------------------------

    @api.post("/api/v1/check", tags=["check"], openapi_extra={"requestBody": {
        "required": True, "content": {"application/json": {"schema": Profile.model_json_schema()}}}})
    async def api_check(request: Request, as_of: str | None = Query(None, description="YYYY-MM-DD; default today"),
                        all: bool = Query(False, description="also list the ineligible measures")):
        """A profile in (the keys of a profile file), the result of `elig check --format json` out."""
        body = await request.body()
        try:
            text = body.decode()
        except UnicodeDecodeError:
            raise EligError("request body: not UTF-8 text") from None
        date = as_of_of(as_of)

        def checked_json() -> dict:  # in a thread: the event loop serves other requests meanwhile
            with turn:
                result = check_text("request body", text, checker, date)
            return check_json(result, all)

        return JSONResponse(await run_in_threadpool(checked_json))

    @api.post("/api/v1/screen", tags=["screen"])
    def api_screen(file: Annotated[UploadFile, File(description="CSV, XLSX or JSONL, as `elig screen` reads")],
                   format: Annotated[str, Query(description="csv, xlsx or jsonl")] = "csv",
                   as_of: Annotated[str, Query(description="YYYY-MM-DD; default today")] = ""):
        """A list of applicants in, the screened list out (`elig screen`'s columns), streamed."""
        return _screen(file, format, as_of)

    @api.get("/api/v1/measures", tags=["measures"])
    def api_measures():
        return [{"id": r.model.id, "title": r.model.title.model_dump(), "document": r.model.document,
                 "section": r.model.section, "kind": r.model.kind} for r in base.rules]

    @api.get("/api/v1/measures/{measure_id}", tags=["measures"])
    def api_measure(measure_id: str):
        rule = _rule(measure_id)
        return {**rule.model.model_dump(mode="json"),
                "citations": [{"quote": c.quote, "start": c.start, "end": c.end} for c in rule.citations]}

    @api.get("/api/v1/vocabularies", tags=["measures"])
    def api_vocabularies():
        return {f: [e.model_dump(mode="json", exclude_defaults=True) for e in v.entries.values()]
                for f, v in base.taxonomy.vocabs.items()}

    @api.get("/healthz", tags=["health"])
    def healthz():
        return {"status": "ok", "rules_version": base.version, "engine": checker.engine}

    # ---- helpers -----------------------------------------------------------------------------

    def _rule(measure_id: str):
        found = {r.model.id: r for r in base.rules}
        return found[find_measure(list(found), measure_id)]

    def _interview(token: str, lang: str) -> Interview:
        saved = state.decode(token, "interview") if token else {}
        if not isinstance(saved, dict):
            raise EligError("interview: the link does not carry an interview")
        interview = Interview(checker, dt.date.today(), saved.get("profile") or {}, _lang(saved.get("lang", lang)))
        interview.skipped = set(saved.get("skipped", ()))
        interview.one_by_one = list(saved.get("one_by_one", ()))
        interview.n_asked = int(saved.get("asked", 0))
        return interview

    def _ask_token(interview: Interview) -> str:
        return state.encode({"profile": interview.profile, "skipped": sorted(interview.skipped),
                             "one_by_one": interview.one_by_one, "asked": interview.n_asked, "lang": interview.lang})

    def _ask_view(question, counts, token: str, lang: str, error: str | None = None) -> HTMLResponse:
        return page("ask.html.j2", 400 if error else 200, question=question, counts=counts, token=token, lang=lang,
                    error=error, gloss=lambda choice: gloss(base.taxonomy, question.key, choice, lang))

    def _screen(file: UploadFile, fmt: str, as_of: str):
        from elig.screen import format_of, open_table, screen_file

        if fmt not in SCREEN_FORMATS:
            raise EligError(f"format {fmt!r}: formats are {', '.join(SCREEN_FORMATS)}")
        folder = Path(tempfile.mkdtemp(prefix="elig-serve-"))
        try:
            suffix = Path(file.filename or "upload.csv").suffix.lower()
            if format_of(f"x{suffix}") in (None, "parquet"):  # Parquet screens by `elig screen`, to Parquet
                raise EligError(f"{file.filename!r}: not a list elig reads (.csv, .tsv, .xlsx, .xls, .ods, .jsonl)")
            source = folder / f"upload{suffix}"  # no path from the request is ever used
            with open(source, "wb") as out:
                shutil.copyfileobj(file.file, out)
            table = open_table(str(source))
            table = replace(table, rows=_bounded(table.rows, settings.max_rows))
            output = folder / f"screened.{fmt}"
            with turn:
                # "-" keeps the upload on the row path, where the row limit holds
                screen_file("-", table, output, fmt, settings.rules, None, as_of_of(as_of))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return FileResponse(output, media_type=SCREEN_FORMATS[fmt], filename=f"screened.{fmt}",
                            background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))

    def _bounded(rows, limit: int):
        for n, row in enumerate(rows, start=1):
            if n > limit:
                raise EligError(f"the list has more than {limit:,} rows, the limit of this server "
                                f"(elig serve --max-rows; elig screen has none)")
            yield row

    api.add_middleware(Guard, max_body=settings.max_body)
    return api


def _lang(value: str) -> str:
    return "en" if value == "en" else "zh"
