"""signer-sync: a curated, deduplicated signer list from a Google Form's responses."""

__version__ = "0.1.0"
