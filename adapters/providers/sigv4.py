"""AWS Signature Version 4 (header signing) with hashlib/hmac, and the credentials it needs."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
_SPACES = re.compile(r" +")


@dataclass(frozen=True, slots=True)
class AwsCredentials:
    """An access key pair; the secret parts never appear in a repr."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)


class CredentialsFormatError(ValueError):
    """The secret value is not in a supported AWS credentials format (the value is never quoted)."""


def parse_aws_credentials(value: str) -> AwsCredentials:
    """Read AWS credentials from a secret value.

    Two formats are accepted: JSON `{"aws_access_key_id": ..., "aws_secret_access_key": ...,
    "aws_session_token": ...}` (session token optional), or `ACCESS_KEY_ID:SECRET_ACCESS_KEY`
    with an optional `:SESSION_TOKEN`.
    """
    text = value.strip()
    if text.startswith("{"):
        return _from_json(text)
    parts = text.split(":", 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise CredentialsFormatError(
            "AWS credentials must be JSON with aws_access_key_id and aws_secret_access_key, "
            "or ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN]"
        )
    token = parts[2] if len(parts) == 3 and parts[2] else None
    return AwsCredentials(parts[0], parts[1], token)


def _from_json(text: str) -> AwsCredentials:
    try:
        data = json.loads(text)
    except ValueError:
        raise CredentialsFormatError("AWS credentials JSON is not valid JSON") from None
    if not isinstance(data, dict):
        raise CredentialsFormatError("AWS credentials JSON must be an object")
    key_id = data.get("aws_access_key_id")
    secret = data.get("aws_secret_access_key")
    token = data.get("aws_session_token")
    if not isinstance(key_id, str) or not key_id or not isinstance(secret, str) or not secret:
        raise CredentialsFormatError("AWS credentials JSON needs aws_access_key_id and aws_secret_access_key")
    if token is not None and not isinstance(token, str):
        raise CredentialsFormatError("aws_session_token must be a string")
    return AwsCredentials(key_id, secret, token or None)


def sign_headers(
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    credentials: AwsCredentials,
    region: str,
    service: str,
    now: datetime,
) -> dict[str, str]:
    """The headers to send: `headers` plus host, x-amz-date, the session token and Authorization.

    `url` is the URL as it goes on the wire (path already percent-encoded); every header in the
    result except Authorization is signed.
    """
    amz_date = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    parts = urlsplit(url)
    out = {k: v for k, v in headers.items() if k.lower() not in ("host", "x-amz-date", "authorization")}
    out["host"] = _host(parts.scheme, parts.netloc)
    out["x-amz-date"] = amz_date
    if credentials.session_token:
        out["x-amz-security-token"] = credentials.session_token
    names, canonical_headers = _canonical_headers(out)
    request = "\n".join(
        (
            method.upper(),
            canonical_uri(parts.path),
            canonical_query(parts.query),
            canonical_headers,
            names,
            hashlib.sha256(body).hexdigest(),
        )
    )
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join((ALGORITHM, amz_date, scope, hashlib.sha256(request.encode()).hexdigest()))
    key = signing_key(credentials.secret_access_key, amz_date[:8], region, service)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    out["authorization"] = (
        f"{ALGORITHM} Credential={credentials.access_key_id}/{scope}, "
        f"SignedHeaders={names}, Signature={signature}"
    )
    return out


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(f"AWS4{secret}".encode(), date)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return key


def canonical_uri(path: str) -> str:
    """Each segment URI-encoded once more (AWS services other than S3 encode the wire path again)."""
    return quote(path or "/", safe="/~")


def canonical_query(query: str) -> str:
    if not query:
        return ""
    pairs = []
    for item in query.split("&"):
        name, _, value = item.partition("=")
        pairs.append((_encode(name), _encode(value)))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def _canonical_headers(headers: Mapping[str, str]) -> tuple[str, str]:
    lowered = sorted((k.lower(), _SPACES.sub(" ", v.strip())) for k, v in headers.items())
    names = ";".join(k for k, _ in lowered)
    return names, "".join(f"{k}:{v}\n" for k, v in lowered)


def _encode(text: str) -> str:
    # Query parts arrive percent-encoded; decode-free re-encoding of '%' would double them, so
    # only characters outside the unreserved set and '%' are encoded.
    return quote(text, safe="-_.~%")


def _host(scheme: str, netloc: str) -> str:
    default = {"https": ":443", "http": ":80"}.get(scheme)
    if default and netloc.endswith(default):
        return netloc[: -len(default)]
    return netloc


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()
