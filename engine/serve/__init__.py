"""The serve job: `elig serve`, the check, the guided interview, screening and the audit as web
pages and a JSON API (an ASGI application, FastAPI, run by uvicorn).

`app` builds the application: pages rendered on the server with Jinja2 (`templates/`), assets
served from `static/` (nothing from a CDN), the API under /api/v1 with its OpenAPI at /docs.
`forms` turns the check form into a profile and back; `state` carries a profile or an interview
in a URL, so reload, back and a shared link work; `guard` bounds requests and sets the security
headers. Every decision is the engine's: the same functions as the command line.
"""
