"""Searching the Hub for GGUF models, one page at a time, with the last answers kept for offline use.

Why pages are fetched here rather than through ``HfApi.list_models``: its iterator is lazy but cannot be
saved or resumed (``limit`` ends it; without ``limit`` the Hub sends pages of up to 1,000 models with every
expanded field). Discover needs "load more": each page is one ``GET /api/models?limit=N`` and the next page is
the ``Link: rel="next"`` URL the Hub returns, handed to the caller as an opaque string. It survives a restart,
keys the offline cache, and costs exactly one request per page. The JSON is parsed by ``huggingface_hub``'s own
``ModelInfo``, the errors by its ``hf_raise_for_status``.

Filters the API does not offer for GGUF repos (architecture, parameter count from the GGUF metadata) are
applied here, to whole pages: a page may hold fewer results than ``limit`` (more pages are fetched, up to
:data:`MAX_REQUESTS_PER_PAGE`) or a few more, but no model is ever skipped between pages.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from hearth.core.hub_config import HubConfig
from hearth.core.hub_errors import HubError, HubRequestCancelled, HubUnreachable, hub_errors

Sort = Literal["downloads", "likes", "trending", "updated"]
SORTS: dict[str, str] = {
    "downloads": "downloads",
    "likes": "likes",
    "trending": "trendingScore",
    "updated": "lastModified",
}
EXPAND = ("author", "downloads", "likes", "lastModified", "gguf", "tags", "gated", "trendingScore")
MAX_REQUESTS_PER_PAGE = 5


@dataclass(frozen=True)
class ModelSummary:
    """One search result: what the result list shows before the repo is opened."""

    repo_id: str
    author: str | None
    downloads: int
    likes: int
    last_modified: datetime | None
    architecture: str | None
    parameters: int | None
    context_length: int | None
    gated: bool
    tags: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "repo_id": self.repo_id,
            "author": self.author,
            "downloads": self.downloads,
            "likes": self.likes,
            "last_modified": self.last_modified.isoformat() if self.last_modified else None,
            "architecture": self.architecture,
            "parameters": self.parameters,
            "context_length": self.context_length,
            "gated": self.gated,
            "tags": list(self.tags),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelSummary:
        modified = data.get("last_modified")
        return cls(
            repo_id=str(data["repo_id"]),
            author=data.get("author"),
            downloads=int(data.get("downloads") or 0),
            likes=int(data.get("likes") or 0),
            last_modified=datetime.fromisoformat(modified) if modified else None,
            architecture=data.get("architecture"),
            parameters=data.get("parameters"),
            context_length=data.get("context_length"),
            gated=bool(data.get("gated")),
            tags=tuple(data.get("tags") or ()),
        )

    @classmethod
    def from_model_info(cls, info: Any) -> ModelSummary:
        """From a ``huggingface_hub.ModelInfo`` (search result or ``model_info``)."""
        gguf = info.gguf if isinstance(info.gguf, dict) else {}
        return cls(
            repo_id=info.id,
            author=info.author or (info.id.split("/", 1)[0] if "/" in info.id else None),
            downloads=int(info.downloads or 0),
            likes=int(info.likes or 0),
            last_modified=info.last_modified,
            architecture=_str_or_none(gguf.get("architecture")),
            parameters=_int_or_none(gguf.get("total")),
            context_length=_int_or_none(gguf.get("context_length")),
            gated=bool(info.gated),
            tags=tuple(info.tags or ()),
        )


@dataclass(frozen=True)
class SearchPage:
    """One page of results; pass ``next_page`` back as ``page=`` to load more (``None``: no more)."""

    results: tuple[ModelSummary, ...]
    next_page: str | None
    from_cache: bool = False
    fetched_at: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"results": [r.to_json() for r in self.results], "next_page": self.next_page}

    @classmethod
    def from_json(cls, data: dict[str, Any], *, fetched_at: float | None = None) -> SearchPage:
        results = tuple(ModelSummary.from_json(r) for r in data["results"])
        return cls(results, data.get("next_page"), from_cache=True, fetched_at=fetched_at)


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _str_or_none(value: Any) -> str | None:
    return str(value) if isinstance(value, str) and value else None


def _keep(model: ModelSummary, architecture: str | None, min_params: int | None, max_params: int | None) -> bool:
    if architecture and (model.architecture or "").lower() != architecture.lower():
        return False
    if min_params is not None and (model.parameters is None or model.parameters < min_params):
        return False
    return max_params is None or (model.parameters is not None and model.parameters <= max_params)


def search_models(
    config: HubConfig,
    query: str,
    *,
    sort: Sort = "downloads",
    author: str | None = None,
    architecture: str | None = None,
    min_params: int | None = None,
    max_params: int | None = None,
    limit: int = 30,
    page: str | None = None,
    cancel: threading.Event | None = None,
    offline: bool = False,
) -> SearchPage:
    """Search GGUF repos whose id contains ``query``, most ``sort`` first.

    ``page`` is a previous page's ``next_page``. With ``offline=True`` (or when the Hub cannot be reached) the
    last saved answer for the same request is returned or carried by the :class:`HubUnreachable` raised.
    Raises :class:`HubRequestCancelled` when ``cancel`` is set before a request.
    """
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if not 1 <= limit <= 1000:
        raise ValueError("limit must be between 1 and 1000")
    endpoint = config.endpoint_url
    request = ("search", endpoint, query, sort, author, architecture, min_params, max_params, limit, page)
    answers = config.answers
    from hearth.core.hub_cache import cache_key

    key = cache_key(*request)
    cached = answers.get("search", key) if answers is not None else None
    cached_page = SearchPage.from_json(cached.data, fetched_at=cached.fetched_at) if cached else None
    if offline:
        if cached_page is None:
            raise HubUnreachable("offline; nothing saved for this search yet")
        return cached_page
    try:
        results, next_page = _fetch(
            config, query, sort, author, limit, page, cancel, lambda m: _keep(m, architecture, min_params, max_params)
        )
    except HubUnreachable as error:
        raise error.with_cached(cached_page) from error.__cause__
    fresh = SearchPage(tuple(results), next_page)
    if answers is not None:
        answers.put("search", key, fresh.to_json())
    return fresh


def _fetch(
    config: HubConfig,
    query: str,
    sort: str,
    author: str | None,
    limit: int,
    page: str | None,
    cancel: threading.Event | None,
    keep: Any,
) -> tuple[list[ModelSummary], str | None]:
    from huggingface_hub import ModelInfo
    from huggingface_hub.utils import get_session, hf_raise_for_status

    endpoint = config.endpoint_url
    url: str | None = page or f"{endpoint}/api/models"
    params: list[tuple[str, Any]] | None = None
    if page is None:
        params = [("filter", "gguf"), ("sort", SORTS[sort]), ("limit", str(limit))]
        params += [("search", query)] if query.strip() else []
        params += [("author", author)] if author else []
        params += [("expand", e) for e in EXPAND]
    elif not _same_origin(page, endpoint):
        raise HubError("That page of results belongs to another Hub address; search again")
    results: list[ModelSummary] = []
    headers = config.headers()
    for _ in range(MAX_REQUESTS_PER_PAGE):
        if url is None or len(results) >= limit:
            break
        if cancel is not None and cancel.is_set():
            raise HubRequestCancelled("search cancelled")
        with hub_errors(has_token=config.has_token, endpoint=endpoint):
            response = get_session().get(url, params=params, headers=headers, timeout=config.timeout)
            hf_raise_for_status(response)
            items = response.json()
        params = None  # the next link repeats every query parameter
        for item in items if isinstance(items, list) else []:
            item.setdefault("siblings", None)
            model = ModelSummary.from_model_info(ModelInfo(**item))
            if keep(model):
                results.append(model)
        link = response.links.get("next", {}).get("url")
        url = link if link and _same_origin(link, endpoint) else None
    return results, url


def _same_origin(url: str, endpoint: str) -> bool:
    """Links are followed (with the token) only to the endpoint itself."""
    a, b = urlsplit(url), urlsplit(endpoint)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)
