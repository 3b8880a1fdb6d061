"""Rendering: a computed `Digest` or the curated signers → Markdown, HTML, PNG charts and the
letter list. Pure functions: nothing here reads or writes files (see `sync.outputs`)."""
