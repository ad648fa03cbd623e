"""The Hub's endpoints for :mod:`hearth.testing.fake_hub`: which URL answers what, and which error when.

Why apart from the wire code: these are the rules a test author wants to read (who may see a gated or
private repo, how pages are cut, which ``X-Error-Code`` each miss gets), without the socket handling.
Each function answers through the :class:`~hearth.testing.fake_hub_http.Exchange` it is given.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from hearth.testing.fake_hub_repos import FakeRepo, iso

if TYPE_CHECKING:
    from hearth.testing.fake_hub import FakeHub
    from hearth.testing.fake_hub_http import Exchange

_TRUE = ("true", "1", "True")


def encode_cursor(offset: int) -> str:
    """An opaque pagination cursor, like the Hub's (clients must only copy it from the ``Link`` header)."""
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The offset in a cursor (0 without one); ``ValueError`` for one this server did not write."""
    if not cursor:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(cursor.encode()))["offset"]
    except (binascii.Error, json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(cursor) from error
    if not isinstance(offset, int) or offset < 0:
        raise ValueError(cursor)
    return offset


def link_header(base_url: str, path: str, params: dict[str, list[str]], offset: int) -> dict[str, str]:
    """The ``Link: <...cursor=...>; rel="next"`` header ``huggingface_hub.utils._pagination`` follows.

    The next URL repeats every query parameter (the client sends none of its own on later pages).
    """
    query = [(k, v) for k, values in params.items() if k != "cursor" for v in values]
    query.append(("cursor", encode_cursor(offset)))
    return {"Link": f'<{base_url}{path}?{urlencode(query)}>; rel="next"'}


def handle(hub: FakeHub, ex: Exchange) -> None:
    """Route a request on the Hub origin."""
    token = ex.token()
    if token is not None and token not in hub.tokens and hub.reject_invalid_tokens:
        ex.send_error(401, "Invalid credentials in Authorization header")
        return
    segments = ex.segments
    if segments[:2] == ["api", "models"]:
        _api_models(hub, ex, segments[2:])
    elif segments[:2] == ["api", "whoami-v2"]:
        if token is None:
            ex.send_error(401, "Invalid credentials in Authorization header")
        else:
            ex.send_json({"type": "user", "name": "hearth-tester", "fullname": "Hearth Tester", "orgs": []})
    elif "resolve" in segments[1:3]:
        index = segments.index("resolve", 1)
        _resolve(hub, ex, "/".join(segments[:index]), segments[index + 1 :])
    else:
        ex.send_error(404, "Not Found")


def _split_repo(hub: FakeHub, segments: list[str]) -> tuple[str, list[str]]:
    """``org/name/rest...`` or ``name/rest...`` (canonical repos such as ``gpt2``): the known repo id wins."""
    if len(segments) >= 2 and hub._repo_or_none("/".join(segments[:2])) is not None:
        return "/".join(segments[:2]), segments[2:]
    if segments and hub._repo_or_none(segments[0]) is not None:
        return segments[0], segments[1:]
    return "/".join(segments[:2]), segments[2:]


def may_read(hub: FakeHub, repo: FakeRepo, token: str | None) -> bool:
    """Whether a token opens a gated or private repo: a hub token, in ``allowed_tokens`` if that is set."""
    if token is None or token not in hub.tokens:
        return False
    return repo.allowed_tokens is None or token in repo.allowed_tokens


def _access(hub: FakeHub, ex: Exchange, repo_id: str, content: bool) -> FakeRepo | None:
    """The repo if this token may see it, else answer the error the Hub gives and return ``None``.

    Missing or private: 401 ``RepoNotFound`` without a token (the Hub does not tell them apart), 404 with
    one. Gated, for file downloads only (``content``; metadata stays public): 401 ``GatedRepo`` without a
    token, 403 ``GatedRepo`` with a token that has no access.
    """
    repo = hub._repo_or_none(repo_id)
    token = ex.token()
    if repo is None or (repo.private and not may_read(hub, repo, token)):
        ex.send_error(401 if token is None else 404, "Repository not found", "RepoNotFound")
        return None
    if content and repo.gated and not may_read(hub, repo, token):
        if token is None:
            message = (
                f"Access to model {repo_id} is restricted. You must have access to it and be authenticated"
                " to access it. Please log in."
            )
            ex.send_error(401, message, "GatedRepo")
        else:
            message = (
                f"Access to model {repo_id} is restricted and you are not in the authorized list."
                f" Visit {hub.url}/{repo_id} to ask for access."
            )
            ex.send_error(403, message, "GatedRepo")
        return None
    return repo


def _revision(ex: Exchange, repo: FakeRepo, revision: str) -> str | None:
    sha = repo.resolve_revision(revision)
    if sha is None:
        ex.send_error(404, f"Invalid rev id: {revision}", "RevisionNotFound")
    return sha


def _api_models(hub: FakeHub, ex: Exchange, segments: list[str]) -> None:
    if not segments:
        _list_models(hub, ex)
        return
    repo_id, rest = _split_repo(hub, segments)
    repo = _access(hub, ex, repo_id, content=False)
    if repo is None:
        return
    action = rest[0] if rest else ""
    if action in ("", "revision") and ex.method in ("GET", "HEAD"):
        if action == "revision" and _revision(ex, repo, "/".join(rest[1:])) is None:
            return
        expand = ex.param_list("expand", "expand[]")
        ex.send_json(repo.info_json(expand, with_blobs=ex.param("blobs") in _TRUE))
    elif action == "tree" and len(rest) >= 2 and ex.method in ("GET", "HEAD"):
        _tree(hub, ex, repo, rest[1], "/".join(rest[2:]))
    elif action == "paths-info" and len(rest) == 2 and ex.method == "POST":
        _paths_info(ex, repo, rest[1])
    else:
        ex.send_error(404, "Not Found")


def _list_models(hub: FakeHub, ex: Exchange) -> None:
    """Filter, sort (descending unless ``direction=1``; unsorted = insertion order), then cut a page."""
    token = ex.token()
    search, author = ex.param("search"), ex.param("author")
    filters = ex.param_list("filter", "filter[]")
    gated, pipeline_tag = ex.param("gated"), ex.param("pipeline_tag")
    found = [
        r
        for r in hub._all_repos()
        if r.matches(search, author, filters)
        and (not r.private or may_read(hub, r, token))
        and (gated is None or bool(r.gated) == (gated.lower() == "true"))
        and (pipeline_tag is None or r.pipeline_tag == pipeline_tag)
    ]
    if sort := ex.param("sort"):
        found.sort(key=lambda r: r.sort_value(sort), reverse=ex.param("direction") != "1")
    try:
        offset = decode_cursor(ex.param("cursor"))
        limit = int(ex.param("limit") or hub.list_page_size)
    except ValueError:
        ex.send_error(400, "Invalid cursor or limit")
        return
    size = max(1, min(limit, hub.list_page_size))
    expand = ex.param_list("expand", "expand[]")
    full, card_data = ex.param("full") in _TRUE, ex.param("cardData") in _TRUE
    items = [r.list_json(expand, full=full, card_data=card_data) for r in found[offset : offset + size]]
    more = offset + size < len(found)
    ex.send_json(items, headers=link_header(hub.url, "/api/models", ex.params, offset + size) if more else {})


def _tree(hub: FakeHub, ex: Exchange, repo: FakeRepo, revision: str, folder: str) -> None:
    """A folder's entries, a page at a time (at most 50 with ``expand``, as on the Hub)."""
    if _revision(ex, repo, revision) is None:
        return
    entries = repo.tree(folder, recursive=ex.param("recursive") in _TRUE)
    if entries is None:
        ex.send_error(404, f"Entry not found: {folder}", "EntryNotFound", {"X-Repo-Commit": repo.sha})
        return
    expand = ex.param("expand") in _TRUE
    size = min(50, hub.tree_page_size) if expand else hub.tree_page_size
    try:
        offset = decode_cursor(ex.param("cursor"))
    except ValueError:
        ex.send_error(400, "Invalid cursor")
        return
    page = [_expanded(repo, e) if expand else e for e in entries[offset : offset + size]]
    more = offset + size < len(entries)
    ex.send_json(page, headers=link_header(hub.url, ex.raw_path, ex.params, offset + size) if more else {})


def _expanded(repo: FakeRepo, entry: dict[str, Any]) -> dict[str, Any]:
    """``expand=true`` in tree/paths-info: the last commit and, for files, the security scan."""
    commit = {"id": repo.sha, "title": "Upload folder using huggingface_hub", "date": iso(repo.last_modified)}
    entry = {**entry, "lastCommit": commit}
    if entry["type"] == "file":
        entry["securityFileStatus"] = {"status": "safe", "avScan": {"virusFound": False}, "pickleImportScan": None}
    return entry


def _paths_info(ex: Exchange, repo: FakeRepo, revision: str) -> None:
    """The entries for the posted ``paths`` (form, as the client sends, or JSON); missing paths are skipped."""
    if _revision(ex, repo, revision) is None:
        return
    if "json" in ex.headers.get("content-type", ""):
        body: dict[str, Any] = json.loads(ex.body or b"{}")
        paths, expand = [str(p) for p in body.get("paths", [])], bool(body.get("expand", False))
    else:
        form = parse_qs(ex.body.decode(), keep_blank_values=True)
        paths, expand = form.get("paths", []), form.get("expand", ["false"])[-1] in _TRUE
    entries = [e for p in paths if (e := repo.entry_json(p.strip("/"))) is not None]
    ex.send_json([_expanded(repo, e) if expand else e for e in entries])


def _resolve(hub: FakeHub, ex: Exchange, repo_id: str, rest: list[str]) -> None:
    """``/{repo}/resolve/{rev}/{path}``: the file, or a 302 to the CDN for LFS files with ``lfs_redirect``.

    Every answer, 404 ``EntryNotFound`` included, carries ``X-Repo-Commit`` (the client caches misses per
    commit). LFS files add ``X-Linked-Etag``/``X-Linked-Size``, which the client prefers over ``ETag``.
    """
    if ex.method not in ("GET", "HEAD") or len(rest) < 2:
        ex.send_error(404, "Not Found")
        return
    repo = _access(hub, ex, repo_id, content=True)
    if repo is None or (sha := _revision(ex, repo, rest[0])) is None:
        return
    fake = repo.files.get("/".join(rest[1:]))
    if fake is None:
        ex.send_error(404, "Entry not found", "EntryNotFound", {"X-Repo-Commit": sha})
        return
    headers = {"X-Repo-Commit": sha}
    if fake.is_lfs:
        headers |= {"X-Linked-Etag": f'"{fake.content_sha256()}"', "X-Linked-Size": str(fake.size)}
        if hub.lfs_redirect:
            location = f"{hub.cdn_url}/{repo_id}/{fake.content_sha256()}"
            ex.send_bytes(302, b"", {**headers, "Location": location, "ETag": f'"{fake.blob_id()}"'})
            return
    ex.serve_file(fake, headers)
