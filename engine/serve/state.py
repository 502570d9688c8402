"""A profile or an interview carried in a URL (base64url of compact JSON): the state of a page
lives in its address, so reload, back and a copied link give the same page."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from elig.errors import EligError

MAX_STATE = 16_384  # characters: a profile of every tag and zone fits well within


def encode(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(token: str, what: str = "profile") -> Any:
    """The value a token carries; an EligError for a token that is not one."""
    if len(token) > MAX_STATE:
        raise EligError(f"{what}: the link is too long ({len(token)} characters; at most {MAX_STATE})")
    try:
        data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        return json.loads(data.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise EligError(f"{what}: the link does not carry a {what} (it may have been cut short)") from None
