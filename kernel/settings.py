"""Where state lives: everything is under one home directory, ``MISSIONS_HOME`` (default ``./.missions``)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from ai_missions.kernel.errors import ValidationError


def missions_home() -> Path:
    """The home directory for all state (systems sandbox, knowledge index, runs), created on first use."""
    home = Path(os.environ.get("MISSIONS_HOME", ".missions")).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def sandbox_dir(home: Path | None = None) -> Path:
    """The simulated enterprise systems' databases (one SQLite file per system)."""
    path = (home or missions_home()) / "systems"
    path.mkdir(parents=True, exist_ok=True)
    return path


def knowledge_dir(home: Path | None = None) -> Path:
    """The Chroma persistent index of Enterprise Knowledge."""
    path = (home or missions_home()) / "knowledge"
    path.mkdir(parents=True, exist_ok=True)
    return path


def machine_cache_dir() -> Path:
    """Where this machine keeps what any process may re-use and any may rebuild (the embedding model's optimised
    graph, text vectors, the reader's compiled patterns): ``MISSIONS_CACHE_DIR``, else ``$XDG_CACHE_HOME`` or
    ``~/.cache``, under ``ai-missions``. Read from the process's environment, never from a request."""
    configured = os.environ.get("MISSIONS_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "ai-missions"


def runs_db(home: Path | None = None) -> Path:
    """The SQLite database holding mission checkpoints, the decision queue and audit trails."""
    return (home or missions_home()) / "runs.sqlite"


def llm_timeout_s() -> float:
    """How long one call to the chat model may take (``MISSIONS_LLM_TIMEOUT_S``, default 60): a small local model on
    a CPU needs 30-75 s for a mission-sized prompt, so raise it there (e.g. 300)."""
    return _seconds("MISSIONS_LLM_TIMEOUT_S", "60")


def llm_base_url() -> str | None:
    """The chat model's endpoint (``OPENAI_BASE_URL``): the server's setting, never a client's."""
    return os.environ.get("OPENAI_BASE_URL") or None


def llm_api_key() -> str | None:
    """The chat model's key (``OPENAI_API_KEY``): the server's setting, never a client's."""
    return os.environ.get("OPENAI_API_KEY") or None


def llm_model() -> str:
    """The chat model's name (``OPENAI_MODEL``, default ``gpt-4o-mini``)."""
    return os.environ.get("OPENAI_MODEL") or "gpt-4o-mini"


def call_timeout_s() -> float:
    """How long a call to a system may take before its answer is treated as lost (``MISSIONS_CALL_TIMEOUT_S``)."""
    return _seconds("MISSIONS_CALL_TIMEOUT_S", "10")


def _seconds(name: str, default: str) -> float:
    """A timeout setting in seconds, in (0, 3600]: anything else is refused with its name, never read as no limit."""
    text = os.environ.get(name, default)
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise ValidationError(f"{name} must be a number of seconds in (0, 3600], got {text!r}")
    return value


def sso_domains() -> frozenset[str]:
    """The e-mail domains single sign-on accepts (``MISSIONS_SSO_DOMAINS``, comma-separated, e.g. ``example.com``):
    a verified ``fiona@example.com`` signs in as the account ``fiona``; any other domain, none."""
    listed = os.environ.get("MISSIONS_SSO_DOMAINS", "").split(",")
    return frozenset(d.strip().lower().lstrip("@") for d in listed if d.strip())


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (``localhost``, 127.0.0.0/8, ::1): nothing beyond it can connect."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
