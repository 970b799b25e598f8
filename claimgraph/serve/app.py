"""`claimgraph serve`: a local web app over one claimgraph database.

Server-rendered pages (Jinja2, autoescaped: article text and metadata are hostile input) and a
JSON twin of every page under /api with the same query parameters, described by /openapi.json.
Nothing is loaded from another host: CSS is served from /static, there is no script at all, and
a Content-Security-Policy says so to the browser. FastAPI's /docs and /redoc pages load Swagger
and ReDoc from a CDN, so they are off; /api lists the endpoints instead.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import threading
from collections.abc import Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException

from claimgraph import __version__
from claimgraph.link.provenance import narrative_graph as build_narrative_graph
from claimgraph.serve.layout import lay_out, timeline
from claimgraph.store import Store
from claimgraph.store.database import SEARCH_MAX_CHARS, SearchSyntaxError, SearchTooCostly
from claimgraph.store.read import (
    MAX_INT,
    MAX_LIMIT,
    SEMANTIC_FLOOR,
    BadRequest,
    ClaimFilters,
    ReadModel,
)

HERE = Path(__file__).resolve().parent
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'none'; "
        b"form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]

CSV_MAX_ROWS = 1_000_000  # a CSV download follows the list's pages up to this many rows

# The names a browser may use for the app: a page on another site that rebinds its own name
# to 127.0.0.1 (DNS rebinding) still sends its own name as Host, and is refused.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page.")]
After = Annotated[
    str | None, Query(description="Cursor from the previous page's `next` (keyset pagination).")
]


class SecurityHeaders:
    """Plain ASGI middleware (cheaper than BaseHTTPMiddleware) adding the headers above."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def host_name(header: str) -> str:
    """The host of a Host header, without port or brackets, lower case: `[::1]:8000` -> `::1`."""
    host = header.strip().lower()
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else host[1:]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


class Moved(Exception):  # noqa: N818 (a redirect, not an error)
    """A page that lives at another path now (a narrative merged into an older one)."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class HostCheck:
    """Plain ASGI middleware answering 400 to a request whose Host header is not an allowed name
    (defence against DNS rebinding: the app has no login, so the Host is what tells a page on
    this machine from a page on another site). `*` among the names allows any."""

    def __init__(self, app: Any, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = {host_name(h) for h in allowed}
        self.any = "*" in self.allowed

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] not in ("http", "websocket") or self.any:
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        if host_name(header) in self.allowed:
            await self.app(scope, receive, send)
            return
        names = ", ".join(sorted(self.allowed))
        message = (
            f"Host {header[:100]!r} is not served here (allowed: {names}); "
            "start claimgraph serve with --allowed-host NAME to allow another name."
        )
        body = json.dumps({"error": message, "status": 400}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _url(path: str, params: dict[str, Any] | None = None, **changes: Any) -> str:
    """A link with query parameters; None drops a parameter."""
    merged = {**(params or {}), **changes}
    query = urlencode({k: v for k, v in merged.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


def _snippet(snippet: str | None) -> Markup:
    """FTS snippets mark hits with [ ]: escape the text, then mark the hits."""
    out = []
    for i, part in enumerate((snippet or "").replace("]", "[").split("[")):
        out.append(Markup("<mark>{}</mark>").format(part) if i % 2 else escape(part))
    return Markup("").join(out)


def csv_text(items: list[dict[str, Any]]) -> str:
    """Rows as CSV with a header row: lists joined by '; ', nested objects as JSON."""
    out = io.StringIO()
    columns: list[str] = []
    for item in items:
        columns += [k for k in item if k not in columns]
    writer = csv.writer(out)
    writer.writerow(columns)
    for item in items:
        row = []
        for k in columns:
            v = item.get(k)
            if isinstance(v, list):
                v = "; ".join(x if isinstance(x, str) else json.dumps(x) for x in v)
            elif isinstance(v, dict):
                v = json.dumps(v, ensure_ascii=False)
            row.append("" if v is None else v)
        writer.writerow(row)
    return out.getvalue()


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every template, .svg and .html alike
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["url"] = _url
    env.globals["version"] = __version__
    env.filters["snippet"] = _snippet
    env.filters["pct"] = _pct
    return Jinja2Templates(env=env)


def create_app(db: str | Path, allowed_hosts: Iterable[str] = LOCAL_HOSTS) -> FastAPI:
    """The app over database `db` (a path or URL), opened read-only: pages never take the write
    lock, so a running `analyze` never waits for them. Requests must name one of
    `allowed_hosts` in their Host header. Everything it holds lives on app.state."""
    store = Store(db, read_only=True)
    queries = ReadModel.open(store)
    templates = _templates()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> Any:
        yield
        queries.close()
        store.close()

    app = FastAPI(
        title="claimgraph",
        version=__version__,
        description=(
            "Every HTML page of `claimgraph serve` has a JSON twin under /api with the same "
            "query parameters. Lists page by keyset: pass the `next` cursor as `after`."
        ),
        docs_url=None,  # Swagger UI and ReDoc load from a CDN: off
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.queries = queries
    app.state.claim_search = None  # loaded on the first semantic search
    app.state.claim_search_lock = threading.Lock()
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HostCheck, allowed=list(allowed_hosts))  # outermost: runs first
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def error(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api") or "json" in request.headers.get("accept", ""):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": status, "message": message, "api_url": None},
            status_code=status,
        )

    @app.exception_handler(SearchSyntaxError)
    async def _search_error(request: Request, exc: SearchSyntaxError) -> Response:
        if isinstance(exc, SearchTooCostly):
            return error(request, 400, f"Search too costly: {exc}")
        return error(request, 400, f"Search syntax error: {exc}")

    @app.exception_handler(Moved)
    async def _moved(request: Request, exc: Moved) -> Response:
        api = "/api" if request.url.path.startswith("/api") else ""
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(api + exc.path + query, status_code=308)

    @app.exception_handler(BadRequest)
    async def _bad_request(request: Request, exc: BadRequest) -> Response:
        return error(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg')}"
            for e in exc.errors()
        )
        return error(request, 400, f"Bad parameter: {problems}")

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        return error(request, exc.status_code, str(exc.detail))

    def twin(
        path: str, template: str, name: str, csv_rows: str | None = None
    ) -> Callable[[Callable], Callable]:
        """Register `fn` as GET /api{path} (JSON, in the OpenAPI schema) and GET {path} (the
        same data rendered by `template`); with `csv_rows`, also GET {path}.csv: that list
        of the data (same parameters) as CSV, the way datasette serves a table."""

        def register(fn: Callable[..., dict[str, Any]]) -> Callable:
            def api(**kwargs: Any) -> Response:
                # plain dicts of JSON types: json.dumps directly, without FastAPI's (slow,
                # recursive) jsonable_encoder
                return JSONResponse(fn(**kwargs))

            api.__signature__ = inspect.signature(fn)  # type: ignore[attr-defined]
            api.__name__, api.__doc__ = fn.__name__, fn.__doc__
            app.get(
                "/api" + (path if path != "/" else "/summary"),
                name=name,
                tags=["pages"],
                response_model=None,
                response_class=JSONResponse,
            )(api)

            def html(**kwargs: Any) -> Response:
                request: Request = kwargs["request"]
                data = fn(**kwargs)
                api = "/api" + (request.url.path if path != "/" else "/summary")
                if request.url.query:
                    api += "?" + request.url.query
                return templates.TemplateResponse(
                    request, template, {"data": data, "api_url": api, "nav": name}
                )

            html.__signature__ = inspect.signature(fn)  # type: ignore[attr-defined]
            html.__name__ = f"{fn.__name__}_html"
            if csv_rows:

                def as_csv(**kwargs: Any) -> Response:
                    # The whole list, page after page, unless the URL asks for one page
                    # (`limit` or `after` given): one CSV row per row of the list.
                    request: Request = kwargs["request"]
                    single = {"limit", "after"} & set(request.query_params)
                    if "after" in kwargs and not single:
                        kwargs["limit"] = MAX_LIMIT
                    data = fn(**kwargs)
                    rows = list(data[csv_rows])
                    while not single and data.get("next") and len(rows) < CSV_MAX_ROWS:
                        data = fn(**{**kwargs, "after": data["next"]})
                        rows += data[csv_rows]
                    filename = path.strip("/").replace("/", "-") or "summary"
                    return Response(
                        csv_text(rows),
                        media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{filename}.csv"'},
                    )

                as_csv.__signature__ = inspect.signature(fn)  # type: ignore[attr-defined]
                as_csv.__name__ = f"{fn.__name__}_csv"
                app.get(path + ".csv", include_in_schema=False)(as_csv)
            app.get(path, response_class=HTMLResponse, include_in_schema=False)(html)
            return fn

        return register

    def not_found(what: str, ident: str) -> HTTPException:
        return HTTPException(404, f"No {what} with id {ident!r}.")

    @twin("/", "home.html", "home")
    def summary(request: Request) -> dict[str, Any]:
        """Corpus figures: counts, dates, largest narratives, main publishers."""
        return queries.summary()

    @twin("/search", "search.html", "search")
    def search(
        request: Request,
        q: Annotated[
            str | None,
            Query(description='Full text: words, "phrases", OR, NOT, prefix*; semantic: any text.'),
        ] = None,
        mode: Annotated[str, Query(pattern="^(text|semantic)$")] = "text",
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
        min_score: Annotated[
            float, Query(ge=-1, le=1, description="Semantic: lowest similarity shown.")
        ] = SEMANTIC_FLOOR,
    ) -> dict[str, Any]:
        """Full-text search over sentences (stemmed: 'airdrop' finds 'airdropped'), or
        semantic search over claims (ranked, top `limit`, none below `min_score`)."""
        data: dict[str, Any] = {
            "q": q,
            "mode": mode,
            "limit": limit,
            "min_score": min_score,
            "results": [],
            "cut": 0,
        }
        if q is None or q == "":
            return data
        if mode == "text":
            data["results"] = queries.search_text(q, limit=limit)
            if not data["results"]:
                data["hint"] = f"/search?mode=semantic&q={quote(q)}"
            return data
        if not q.strip():
            raise SearchSyntaxError("empty search")
        if len(q) > SEARCH_MAX_CHARS:
            raise SearchTooCostly(
                f"search too long: {len(q)} characters (at most {SEARCH_MAX_CHARS})"
            )
        found = semantic(request.app).search(q, k=limit)
        hits = [h for h in found if h.score >= min_score]
        data["cut"] = len(found) - len(hits)
        scores = {h.claim_id: h.score for h in hits}
        claims = queries.claims_by_ids([h.claim_id for h in hits])
        for c in claims:
            c["score"] = round(scores[c["id"]], 4)
            c["href"] = f"/documents/{c['document_id']}#s-{c['sentence_id']}"
        data["results"] = claims
        return data

    def semantic(app_: FastAPI) -> Any:
        """The ClaimSearch index, built on first use and kept for the app's life."""
        with app_.state.claim_search_lock:
            if app_.state.claim_search is None:
                from claimgraph.link.embeddings import EncoderLoadError
                from claimgraph.link.vectors import ClaimSearch

                try:
                    app_.state.claim_search = ClaimSearch.from_store(store)
                except (LookupError, EncoderLoadError, ValueError) as exc:
                    # no vectors yet, or the model that made them cannot be loaded here
                    raise BadRequest(f"Semantic search is unavailable: {exc}") from exc
            return app_.state.claim_search

    @twin("/narratives", "narratives.html", "narratives", csv_rows="items")
    def narratives(
        request: Request,
        after: After = None,
        limit: Limit = 50,
        q: Annotated[str | None, Query(description="Words of the label.")] = None,
        min_documents: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
        all_: Annotated[
            bool,
            Query(alias="all", description="Also single-document candidates (hidden by default)."),
        ] = False,
        speaker: Annotated[str | None, Query(description="Speaker name or key.")] = None,
        outlet: Annotated[str | None, Query(description="Publishing outlet.")] = None,
        date_from: Annotated[str | None, Query(description="YYYY[-MM[-DD]]")] = None,
        date_to: Annotated[str | None, Query(description="YYYY[-MM[-DD]], inclusive")] = None,
    ) -> dict[str, Any]:
        """Narratives told in at least two documents, most spread first (documents, then
        claims); `all=1` lists single-document candidates too."""
        page = queries.narratives(
            after=after,
            limit=limit,
            q=q,
            min_documents=min_documents,
            all_=all_,
            speaker=speaker or None,
            outlet=outlet or None,
            date_from=date_from or None,
            date_to=date_to or None,
        )
        params = {
            "q": q,
            "min_documents": min_documents,
            "all": 1 if all_ else None,
            "speaker": speaker,
            "outlet": outlet,
            "date_from": date_from,
            "date_to": date_to,
            "limit": limit,
        }
        return {**page.as_dict(), "params": params, "counts": queries.narrative_counts()}

    @twin("/narratives/{narrative_id}", "narrative.html", "narratives")
    def narrative(request: Request, narrative_id: str) -> dict[str, Any]:
        """One narrative: label, claims (earliest first), documents, outlets, speakers, dates,
        footing shares and linked fact-checks."""
        found = queries.narrative(narrative_id)
        if found is None:
            raise not_found("narrative", narrative_id)
        if "merged_into" in found:
            raise Moved(f"/narratives/{quote(found['merged_into'], safe='')}")
        found["timeline_chart"] = timeline(found["timeline"])
        return found

    def provenance(narrative_id: str) -> dict[str, Any]:
        found = queries.narrative(narrative_id)
        if found is None:
            raise not_found("narrative", narrative_id)
        if "merged_into" in found:
            raise Moved(f"/narratives/{quote(found['merged_into'], safe='')}/graph")
        return lay_out(build_narrative_graph(found["claims_list"], found), found)

    @twin("/narratives/{narrative_id}/graph", "graph.html", "narratives")
    def narrative_graph(request: Request, narrative_id: str) -> dict[str, Any]:
        """Provenance of a narrative: source, cited outlets, publisher, document per claim."""
        return provenance(narrative_id)

    @app.get("/narratives/{narrative_id}/graph.svg", include_in_schema=False)
    def narrative_graph_svg(request: Request, narrative_id: str) -> Response:
        found = provenance(narrative_id)
        return templates.TemplateResponse(
            request, "graph.svg", {"g": found}, media_type="image/svg+xml"
        )

    @twin("/claims", "claims.html", "claims", csv_rows="items")
    def claims(
        request: Request,
        after: After = None,
        limit: Limit = 50,
        speaker: Annotated[
            str | None, Query(description="Speaker: a name as written, or a speaker id.")
        ] = None,
        outlet: Annotated[str | None, Query(description="Publishing outlet.")] = None,
        entity: Annotated[str | None, Query(description="Entity id the document mentions.")] = None,
        q: Annotated[str | None, Query(description="Words of the claim.")] = None,
        via: Annotated[str | None, Query(description="Outlet in the sourcing chain.")] = None,
        signal: Annotated[
            str | None,
            Query(description="anonymous, hedged, evidence_not_shown, or a signal type."),
        ] = None,
        date_from: Annotated[str | None, Query(description="YYYY[-MM[-DD]]")] = None,
        date_to: Annotated[str | None, Query(description="YYYY[-MM[-DD]], inclusive")] = None,
        narrative: Annotated[str | None, Query(description="Narrative id.")] = None,
        document: Annotated[str | None, Query(description="Document id.")] = None,
        min_checkworthiness: Annotated[float | None, Query(ge=0, le=1)] = None,
        sort: Annotated[str, Query(pattern="^(checkworthiness|date)$")] = "checkworthiness",
    ) -> dict[str, Any]:
        """Claims, most check-worthy (or latest) first, with filters."""
        filters = ClaimFilters(
            speaker=speaker or None,
            outlet=outlet or None,
            via=via or None,
            signal=signal or None,
            date_from=date_from or None,
            date_to=date_to or None,
            narrative=narrative or None,
            document=document or None,
            entity=entity or None,
            q=q or None,
            min_checkworthiness=min_checkworthiness,
            sort=sort,
        )
        page = queries.claims(filters, after=after, limit=limit)
        total = queries.claim_count(filters) if not after else None
        return {**page.as_dict(), "total": total, "params": {**filters.params(), "limit": limit}}

    @twin("/documents", "documents.html", "documents", csv_rows="items")
    def documents(
        request: Request,
        after: After = None,
        limit: Limit = 50,
        outlet: Annotated[str | None, Query(description="Publishing outlet.")] = None,
    ) -> dict[str, Any]:
        """Documents, newest first."""
        page = queries.documents(after=after, limit=limit, outlet=outlet or None)
        return {**page.as_dict(), "params": {"outlet": outlet, "limit": limit}}

    @twin("/documents/{document_id}", "document.html", "documents")
    def document(request: Request, document_id: str) -> dict[str, Any]:
        """One document: its text by sentence (`s-<sentence_id>` anchors) with claims, quotes,
        cues and signals marked; attributions, entities and removed furniture."""
        found = queries.document(document_id)
        if found is None:
            raise not_found("document", document_id)
        return found

    @twin("/speakers", "speakers.html", "speakers", csv_rows="items")
    def speakers(
        request: Request,
        after: After = None,
        limit: Limit = 50,
        anonymous: Annotated[
            bool | None, Query(description="Only unnamed (true) or named (false) sources.")
        ] = None,
        q: Annotated[str | None, Query(description="Words of the name.")] = None,
    ) -> dict[str, Any]:
        """Speakers by attributions: named (with or without an entity) and unnamed sources
        (by how they are described), one list."""
        page = queries.speakers(after=after, limit=limit, anonymous=anonymous, q=q or None)
        params = {"limit": limit, "anonymous": anonymous, "q": q}
        return {**page.as_dict(), "params": params}

    @twin("/speakers/{ref:path}", "profile.html", "speakers")
    def speaker(request: Request, ref: str) -> dict[str, Any]:
        """One speaker, by name as written or by id: claims, narratives, anonymous/hedged/
        evidence-not-shown shares and a timeline."""
        found = queries.speaker(ref)
        if found is None:
            raise HTTPException(404, f"No speaker {ref!r}.")
        found["timeline_chart"] = timeline(found["timeline"])
        return found

    @twin("/outlets/{name:path}", "profile.html", "outlets")
    def outlet(request: Request, name: str) -> dict[str, Any]:
        """One publishing outlet: its claims, narratives, shares and a timeline."""
        found = queries.outlet(name)
        if found is None:
            raise HTTPException(404, f"No outlet {name!r}.")
        found["timeline_chart"] = timeline(found["timeline"])
        return found

    @twin("/entities/{ref:path}", "entity.html", "speakers")
    def entity(request: Request, ref: str) -> dict[str, Any]:
        """One entity, by name, alias or id: mentions, the documents that mention it, the
        claims in them, and what it said (as a speaker)."""
        found = queries.entity(ref)
        if found is None:
            raise HTTPException(404, f"No entity {ref!r}.")
        if found["as_speaker"]:
            found["as_speaker"]["timeline_chart"] = timeline(found["as_speaker"]["timeline"])
        return found

    @twin("/outlets", "outlets.html", "outlets", csv_rows="items")
    def outlets(
        request: Request,
        after: After = None,
        limit: Limit = 50,
        kind: Annotated[str, Query(pattern="^(publisher|cited)$")] = "publisher",
    ) -> dict[str, Any]:
        """Publishing outlets by documents, or outlets cited in sourcing chains."""
        page = queries.outlets(kind=kind, after=after, limit=limit)
        return {**page.as_dict(), "kind": kind, "params": {"kind": kind, "limit": limit}}

    @app.get("/api", response_class=HTMLResponse, include_in_schema=False)
    def api_index(request: Request) -> Response:
        """The endpoints, from the OpenAPI schema (a local stand-in for Swagger UI)."""
        spec = app.openapi()
        endpoints = [
            {
                "path": path,
                "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": op.get("parameters", []),
            }
            for path, ops in spec["paths"].items()
            for method, op in ops.items()
            if method == "get"
        ]
        return templates.TemplateResponse(
            request,
            "api.html",
            {"endpoints": endpoints, "api_url": "/openapi.json", "nav": "api"},
        )

    return app
