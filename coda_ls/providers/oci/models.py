"""OCI Generative AI models: discovery results, their 24-hour disk cache, and names.

OCI names models `vendor.name[-instruct]` (`cohere.command-r-plus`,
`meta.llama-3.3-70b-instruct`); Coda also accepts the friendly form without the vendor and
the `-instruct` suffix (`command-r-plus`, `llama-3.3-70b`). `resolve` maps either to the
OCI name; an OCID (a dedicated endpoint or fine-tuned model) passes through unchanged.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coda_ls import paths
from coda_ls.errors import ModelNotFoundError
from coda_ls.providers.base import ModelInfo

log = logging.getLogger(__name__)

NAME = "oci"
CACHE_TTL = 24 * 3600.0
CACHE_VERSION = 1

# Context windows OCI documents for its on-demand chat models (list_models does not say).
_CONTEXT: dict[str, int] = {
    "cohere.command-r-plus": 128_000,
    "cohere.command-r-16k": 16_000,
    "cohere.command-r-08-2024": 128_000,
    "cohere.command-r-plus-08-2024": 128_000,
    "cohere.command-a-03-2025": 256_000,
    "meta.llama-3.3-70b-instruct": 128_000,
    "meta.llama-3.1-405b-instruct": 128_000,
    "meta.llama-3.1-70b-instruct": 128_000,
    "meta.llama-4-maverick-17b-128e-instruct-fp8": 512_000,
    "meta.llama-4-scout-17b-16e-instruct": 192_000,
    "xai.grok-3": 131_072,
    "xai.grok-3-mini": 131_072,
    "xai.grok-4": 256_000,
}


def friendly_name(model_id: str) -> str:
    """`meta.llama-3.3-70b-instruct` -> `llama-3.3-70b`; OCIDs are returned unchanged."""
    if model_id.startswith("ocid1."):
        return model_id
    _, dot, rest = model_id.partition(".")
    name = rest if dot else model_id
    return name.removesuffix("-instruct")


def vendor_of(model_id: str) -> str:
    """`cohere`, `meta`, `xai`, `openai`, `google`, … (from the OCI name; '' if unknown)."""
    if model_id.startswith("ocid1.") or "." not in model_id:
        return ""
    return model_id.split(".", 1)[0].lower()


def is_cohere(model_id: str) -> bool:
    """Cohere models take CohereChatRequest; every other vendor takes GenericChatRequest."""
    if vendor_of(model_id) == "cohere":
        return True
    return friendly_name(model_id).startswith(("command-r", "command-a", "command-"))


def resolve(name: str, known: list[str]) -> str:
    """The OCI model name for `name` (OCI or friendly form), given the known OCI names.

    With no known names (discovery unavailable) the name is guessed from its shape, and
    the service has the last word."""
    if name.startswith("ocid1.") or name in known:
        return name
    for model_id in known:
        if friendly_name(model_id) == name or model_id.removesuffix("-instruct") == name:
            return model_id
    if not known:
        return _guess(name)
    candidates = known + [friendly_name(k) for k in known]
    close = list(dict.fromkeys(difflib.get_close_matches(name, candidates, n=3, cutoff=0.5)))
    raise ModelNotFoundError(
        f"model {name!r} is not an active chat model in this OCI region",
        (f"did you mean {', '.join(close)}? " if close else "")
        + "`coda models -p oci` lists what your compartment can use",
        provider=NAME,
        suggestions=close,
    )


def _guess(name: str) -> str:
    if "." in name.split("-", 1)[0]:
        return name
    if name.startswith(("command-", "command")):
        return f"cohere.{name}"
    if name.startswith("llama"):
        return f"meta.{name}" if name.endswith("-instruct") else f"meta.{name}-instruct"
    if name.startswith("grok"):
        return f"xai.{name}"
    return name


@dataclass(frozen=True)
class ModelRecord:
    """One chat model from list_models, reduced to what Coda uses (JSON-cacheable)."""

    id: str
    vendor: str
    version: str = ""
    capabilities: tuple[str, ...] = ()

    def info(self) -> ModelInfo:
        return ModelInfo(
            name=self.id,
            provider=NAME,
            context_window=_CONTEXT.get(self.id),
            supports_tools=True,
            supports_vision=reads_images(self.id, self.capabilities),
            family="cohere" if is_cohere(self.id) else "generic",
            details={
                "friendly_name": friendly_name(self.id),
                "vendor": self.vendor,
                "version": self.version,
                "capabilities": list(self.capabilities),
            },
        )


def reads_images(model_id: str, capabilities: tuple[str, ...]) -> bool | None:
    """Whether an OCI model takes images: Cohere's chat API (the one Coda speaks) takes
    none; a model listing IMAGE_TEXT_TO_TEXT does; otherwise unknown (coda_ls.vision
    decides from its table: Llama 3.2 Vision, Llama 4, Grok 4, Gemini, GPT-4o …)."""
    if is_cohere(model_id):
        return False
    if "IMAGE_TEXT_TO_TEXT" in capabilities:
        return True
    return None


def records_from_summaries(items: list[Any]) -> list[ModelRecord]:
    """Active, chat-capable models from oci ModelSummary objects, one per name (newest)."""
    seen: dict[str, ModelRecord] = {}
    for item in items:
        capabilities = tuple(str(c) for c in (getattr(item, "capabilities", None) or []))
        if "CHAT" not in capabilities:
            continue
        if str(getattr(item, "lifecycle_state", "") or "ACTIVE") != "ACTIVE":
            continue
        model_id = str(getattr(item, "display_name", None) or getattr(item, "id", ""))
        record = ModelRecord(
            id=model_id,
            vendor=str(getattr(item, "vendor", "") or vendor_of(model_id)),
            version=str(getattr(item, "version", "") or ""),
            capabilities=capabilities,
        )
        if model_id not in seen or record.version > seen[model_id].version:
            seen[model_id] = record
    return sorted(seen.values(), key=lambda r: r.id)


class ModelCache:
    """List of models per (region, compartment) in the XDG cache dir, valid for 24 h."""

    def __init__(self, region: str, compartment_id: str, directory: Path | None = None):
        key = hashlib.sha256(f"{region}\0{compartment_id}".encode()).hexdigest()[:16]
        self.path = (directory or paths.cache_dir()) / f"oci-models-v{CACHE_VERSION}-{key}.json"

    def load(self, ttl: float = CACHE_TTL) -> list[ModelRecord] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if time.time() - float(data["saved_at"]) > ttl:
                return None
            return [
                ModelRecord(m["id"], m["vendor"], m.get("version", ""), tuple(m["capabilities"]))
                for m in data["models"]
            ]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring unreadable OCI model cache %s: %s", self.path, exc)
            return None

    def save(self, records: list[ModelRecord]) -> None:
        payload = {
            "saved_at": time.time(),
            "models": [
                {
                    "id": r.id,
                    "vendor": r.vendor,
                    "version": r.version,
                    "capabilities": list(r.capabilities),
                }
                for r in records
            ],
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(payload), encoding="utf-8")
            tmp.replace(self.path)  # atomic: a concurrent reader never sees half a file
        except OSError as exc:
            log.warning("cannot write OCI model cache %s: %s", self.path, exc)
