"""OCI credentials for the four ways Coda can sign requests.

- API_KEY: the profile's user, fingerprint and key_file in `~/.oci/config`.
- SECURITY_TOKEN: a session from `oci session authenticate` (profile's security_token_file
  + key_file), refreshed with `oci session refresh`.
- INSTANCE_PRINCIPAL: the compute instance's identity (metadata service).
- RESOURCE_PRINCIPAL: a function's or job's identity (OCI_RESOURCE_PRINCIPAL_* env).

`load_auth` is blocking (files, and the metadata service for instance principals): call it
in a thread. It imports `oci`, and raises only Coda errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coda_ls.config import OCISettings
from coda_ls.errors import AuthError

NAME = "oci"
SETUP_HINT = (
    "run `oci setup config` (or `oci session authenticate` for SECURITY_TOKEN), or point "
    "[providers.oci] config_file / CODA_OCI_CONFIG at your config"
)


@dataclass
class OCIAuth:
    """What an OCI client needs: a config dict, and a signer for token-based methods."""

    config: dict[str, Any]
    region: str
    method: str
    signer: Any = None  # an oci signer; None for API_KEY (the client builds one from config)
    details: dict[str, str] = field(default_factory=dict)

    def client_kwargs(self) -> dict[str, Any]:
        return {"signer": self.signer} if self.signer is not None else {}


def load_auth(settings: OCISettings) -> OCIAuth:
    """Credentials for `settings.auth` (blocking)."""
    import oci

    method = settings.auth
    try:
        if method in ("API_KEY", "SECURITY_TOKEN"):
            return _from_file(settings)
        if method == "INSTANCE_PRINCIPAL":
            signer = oci.auth.signers.InstancePrincipalsSecurityTokenSigner()
        else:
            signer = oci.auth.signers.get_resource_principals_signer()
    except AuthError:
        raise
    except (oci.exceptions.ClientError, oci.exceptions.RequestException, OSError) as exc:
        raise AuthError(
            f"OCI {method} authentication failed: {exc}",
            "instance principals work only on an OCI compute instance, resource principals "
            'only inside OCI Functions/Jobs; use auth = "API_KEY" elsewhere',
            provider=NAME,
        ) from exc
    region = settings.region or str(getattr(signer, "region", "") or "")
    if not region:
        raise AuthError(
            f"OCI {method}: no region known", "set [providers.oci] region", provider=NAME
        )
    return OCIAuth(config={"region": region}, region=region, method=method, signer=signer)


def _from_file(settings: OCISettings) -> OCIAuth:
    import oci

    path = Path(settings.config_file).expanduser()
    if not path.is_file():
        raise AuthError(f"OCI config not found at {path}", SETUP_HINT, provider=NAME)
    try:
        config: dict[str, Any] = oci.config.from_file(str(path), settings.profile)
    except oci.exceptions.ProfileNotFound as exc:
        raise AuthError(
            f"profile {settings.profile!r} not found in {path}",
            "set [providers.oci] profile (or CODA_OCI_PROFILE) to one of its [sections]",
            provider=NAME,
        ) from exc
    except oci.exceptions.InvalidConfig as exc:
        raise AuthError(
            f"OCI config {path} [{settings.profile}] is invalid: {_describe(exc.errors)}",
            "fix the keys shown (fingerprint is 16 hex pairs, key_file must exist)",
            provider=NAME,
        ) from exc
    except (oci.exceptions.ClientError, ValueError, OSError) as exc:
        raise AuthError(f"cannot read OCI config {path}: {exc}", SETUP_HINT, provider=NAME) from exc
    if settings.region:
        config["region"] = settings.region
    region = str(config.get("region") or "")
    if not region:
        raise AuthError(
            f"no region in {path} [{settings.profile}]",
            "add region=... to the profile or set [providers.oci] region",
            provider=NAME,
        )
    details = {"config": str(path), "profile": settings.profile}
    if settings.auth == "API_KEY":
        return OCIAuth(config, region, "API_KEY", details=details)
    return OCIAuth(config, region, "SECURITY_TOKEN", _session_signer(config, path), details)


def _session_signer(config: dict[str, Any], path: Path) -> Any:
    import oci

    token_file = config.get("security_token_file")
    if not token_file:
        raise AuthError(
            f"profile in {path} has no security_token_file",
            "create a session with `oci session authenticate`",
            provider=NAME,
        )
    try:
        token = Path(str(token_file)).expanduser().read_text(encoding="utf-8").strip()
        key = oci.signer.load_private_key_from_file(
            str(config.get("key_file", "")), config.get("pass_phrase")
        )
    except (OSError, oci.exceptions.ClientError, ValueError) as exc:
        raise AuthError(
            f"cannot load the OCI session token or key: {exc}",
            "refresh the session with `oci session refresh` (or authenticate again)",
            provider=NAME,
        ) from exc
    return oci.auth.signers.SecurityTokenSigner(token, key)


def _describe(errors: object) -> str:
    if isinstance(errors, dict):
        return ", ".join(f"{key} {value}" for key, value in errors.items())
    return str(errors)
