"""The Hugging Face Hub as Discover needs it: search GGUF models, list a repo's quant files, read its card.

This module is the public face; the work is split over ``hub_search`` (search pages), ``hub_files`` (a repo's
files grouped by model, shards and projectors), ``recommend`` (the file to suggest for this computer),
``quants`` (quantization names and bits per weight), ``hub_errors`` (the errors the user sees), ``hub_cache``
(answers saved for offline use) and ``hub_config`` (endpoint, token, cache folder). Nothing here imports
``huggingface_hub`` at module level: Hearth's start-up must not pay for it.

Usage::

    hub = Hub(HubConfig.from_environment(cache_dir=folders.cache_dir))
    page = hub.search_models("qwen", sort="trending", limit=30, cancel=event)
    more = hub.search_models("qwen", sort="trending", limit=30, page=page.next_page)
    details = hub.repo_files("Qwen/Qwen3-8B-GGUF")
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from hearth.core import hub_files, hub_search
from hearth.core.hub_config import HubConfig
from hearth.core.hub_errors import (
    GatedRepo,
    HubError,
    HubRequestCancelled,
    HubUnreachable,
    NotFound,
    RateLimited,
    TokenRejected,
)
from hearth.core.hub_files import QuantFile, RepoDetails, group_gguf_files
from hearth.core.hub_search import ModelSummary, SearchPage, Sort
from hearth.core.recommend import Recommendation, recommend

__all__ = [
    "GatedRepo",
    "Hub",
    "HubConfig",
    "HubError",
    "HubRequestCancelled",
    "HubUnreachable",
    "ModelSummary",
    "NotFound",
    "QuantFile",
    "RateLimited",
    "Recommendation",
    "RepoDetails",
    "SearchPage",
    "Sort",
    "TokenRejected",
    "group_gguf_files",
    "recommend",
]


@dataclass(frozen=True)
class Hub:
    """Hub calls bound to one :class:`HubConfig`; every method is blocking: call it from a worker thread."""

    config: HubConfig = field(default_factory=HubConfig)

    def search_models(
        self,
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
        """See :func:`hearth.core.hub_search.search_models`."""
        return hub_search.search_models(
            self.config,
            query,
            sort=sort,
            author=author,
            architecture=architecture,
            min_params=min_params,
            max_params=max_params,
            limit=limit,
            page=page,
            cancel=cancel,
            offline=offline,
        )

    def repo_files(self, repo_id: str, revision: str = "main", *, offline: bool = False) -> RepoDetails:
        """See :func:`hearth.core.hub_files.repo_files`."""
        return hub_files.repo_files(self.config, repo_id, revision, offline=offline)

    def model_card(self, repo_id: str, revision: str = "main") -> str:
        """See :func:`hearth.core.hub_files.model_card`."""
        return hub_files.model_card(self.config, repo_id, revision)
