"""Evidence that a signer is based outside the U.S.

Each piece of evidence carries a short reason for the curated tab's `Flags` column. The
rule that matters most: flag on positive evidence only, and let U.S. context win.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry
import tldextract

# Country-code domains widely sold as generic ones: no evidence of where a group is based.
GENERIC_CCTLDS = {"io", "co", "ai", "me", "tv", "ly", "fm", "am", "gg", "sh", "to", "cc", "ws",
                  "la", "is", "it", "so", "xyz", "app", "dev", "nu", "tk", "ms", "vc", "bz"}
US_TLDS = {"us", "edu", "gov", "mil"}


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # The bundled public-suffix snapshot: no network at run time.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def email_country(email: str) -> tuple[str, str] | None:
    """(country name, top-level domain) when the email's domain is a country-code domain
    that says where its owner is; None otherwise."""
    _, _, domain = email.rpartition("@")
    if not domain:
        return None
    suffix = _extractor()(domain).suffix
    tld = suffix.rsplit(".", 1)[-1].casefold() if suffix else ""
    if len(tld) != 2 or tld in GENERIC_CCTLDS or tld in US_TLDS:
        return None
    code = "GB" if tld == "uk" else tld.upper()
    country = pycountry.countries.get(alpha_2=code)
    return (country.name, suffix) if country else None


def outside_us_reasons(email: str) -> list[str]:
    """Reasons to think a response comes from outside the U.S. (empty when none)."""
    found = email_country(email)
    if found:
        country, suffix = found
        return [f"outside U.S.: email domain .{suffix} ({country})"]
    return []
