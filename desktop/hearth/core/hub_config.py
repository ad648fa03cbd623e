"""Where the Hub is, who Hearth is on it, and where answers are cached: one value every Hub call takes.

Why a value and not globals: ``huggingface_hub`` reads ``HF_ENDPOINT`` once, at import, and the saved token
from its own files; Hearth needs tests (and mirrors) to point at another endpoint per call and the token to
come from the keyring. ``token=None`` means "whatever ``huggingface_hub`` would use", ``False`` means none.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hearth.core.hub_cache import AnswerCache


@dataclass(frozen=True)
class HubConfig:
    endpoint: str | None = None
    token: str | bool | None = None
    cache_dir: Path | None = None  # Hearth's cache folder; Hub answers go under ``hub/`` in it
    timeout: float = 20.0

    @property
    def endpoint_url(self) -> str:
        """The endpoint in effect, without a trailing slash (``HF_ENDPOINT`` when none was given)."""
        if self.endpoint:
            return self.endpoint.rstrip("/")
        from huggingface_hub import constants

        return str(constants.ENDPOINT).rstrip("/")

    @property
    def has_token(self) -> bool:
        """Whether a token will be sent (explicit, or ``huggingface_hub``'s saved one / ``HF_TOKEN``)."""
        if isinstance(self.token, str):
            return bool(self.token)
        if self.token is False:
            return False
        from huggingface_hub import get_token

        return get_token() is not None

    @property
    def answers(self) -> AnswerCache | None:
        return AnswerCache(self.cache_dir / "hub" / "answers") if self.cache_dir is not None else None

    @property
    def files_cache(self) -> Path | None:
        """A ``huggingface_hub`` cache folder of Hearth's own, for model cards (never the user's ~/.cache)."""
        return self.cache_dir / "hub" / "files" if self.cache_dir is not None else None

    def headers(self) -> dict[str, str]:
        from huggingface_hub.utils import build_hf_headers

        from hearth import __version__

        return dict(build_hf_headers(token=self.token, library_name="hearth", library_version=__version__))

    def api(self) -> Any:
        """A ``huggingface_hub.HfApi`` for this endpoint and token."""
        from huggingface_hub import HfApi

        return HfApi(endpoint=self.endpoint_url, token=self.token, library_name="hearth")

    @classmethod
    def from_environment(cls, cache_dir: Path | None = None) -> HubConfig:
        """The token from the keyring (else ``huggingface_hub``'s own), the endpoint from ``HF_ENDPOINT``."""
        from hearth.core.credentials import get_token

        token = get_token()
        return cls(endpoint=os.environ.get("HF_ENDPOINT") or None, token=token, cache_dir=cache_dir)
