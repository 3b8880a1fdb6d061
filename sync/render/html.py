"""A digest as one standalone HTML file: styles in the page, charts as images whose `src`
the caller gives (data: URIs for the saved file, cid: references inside an email).

Jinja2 with autoescaping writes the page, so whatever a respondent typed (`<script>`, an
`=HYPERLINK(...)`) reaches the reader as text.
"""

from __future__ import annotations

from collections.abc import Mapping

from jinja2 import Environment, select_autoescape

from sync.digest import Digest
from sync.render.sections import period, sections, totals

CHART_TITLES = {
    "cumulative": "Organizations and individuals signed over time",
    "scope": "Organizations by scope",
}

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Signer digest: {{ job }}</title>
<style>
  body { margin: 0; background: #f4f4f1; color: #222; font: 15px/1.5 -apple-system,
         "Segoe UI", Helvetica, Arial, sans-serif; }
  .page { max-width: 760px; margin: 0 auto; padding: 24px 28px; background: #fff; }
  h1 { font-size: 24px; margin: 0 0 4px; }
  h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #e4e4de; }
  h3 { font-size: 14px; margin: 14px 0 4px; color: #1f5f8b; text-transform: uppercase;
       letter-spacing: .04em; }
  .when { color: #666; margin: 0 0 16px; }
  .summary { font-size: 16px; font-weight: 600; background: #eef4f8; padding: 10px 14px;
             border-left: 4px solid #1f5f8b; }
  .totals { border-collapse: collapse; margin: 8px 0; }
  .totals td { padding: 4px 18px 4px 0; }
  .totals .n { font-size: 22px; font-weight: 700; }
  .up { color: #2e7d32; } .down { color: #b23c17; }
  ul { margin: 4px 0 8px; padding-left: 22px; }
  li { margin: 2px 0; }
  .detail { color: #666; font-size: 13px; }
  .note { color: #555; font-style: italic; margin: 4px 0; }
  img { max-width: 100%; height: auto; display: block; margin: 12px 0; }
  .foot { color: #888; font-size: 12px; margin-top: 28px; }
</style>
</head>
<body>
{% macro bullets(items) %}
<ul>
{% for item in items %}
  <li>{{ item.text }}
  {%- if item.detail %} <span class="detail">({{ item.detail }})</span>{% endif %}</li>
{% endfor %}
</ul>
{% endmacro %}
<div class="page">
<h1>Signer digest: {{ job }}</h1>
<p class="when">{{ period }}</p>
<p class="summary">{{ summary }}.</p>
<table class="totals">
{% for label, total, change in totals %}
  <tr><td>{{ label }}</td><td class="n">{{ total }}</td>
      <td class="{{ trend(change) }}">
      {%- if change %}{{ change }} since the last digest{% endif %}</td></tr>
{% endfor %}
{% if skipped %}
  <tr><td>Responses skipped</td><td class="n">{{ skipped }}</td><td>blank or test entries</td></tr>
{% endif %}
</table>
{% for name, src in charts.items() %}
<img src="{{ src }}" alt="{{ chart_titles[name] }}">
{% endfor %}
{% for section in sections %}
<h2>{{ section.title }}{% if section.count %} ({{ section.count }}){% endif %}</h2>
{% if section.note %}<p class="note">{{ section.note }}</p>{% endif %}
{% for group, items in section.groups or [] %}
<h3>{{ group }} ({{ items | sum(attribute='signers') }})</h3>
{{ bullets(items) }}
{% endfor %}
{% if section.items %}
{{ bullets(section.items) }}
{% endif %}
{% endfor %}
<p class="foot">Sent by signer-sync. Approved signers, as the letter prints them, are in the
Letter List tab{% if letter_file %} and in {{ letter_file }}{% endif %}.</p>
</div>
</body>
</html>
"""

_ENVIRONMENT = Environment(autoescape=select_autoescape(default=True, default_for_string=True),
                           trim_blocks=True, lstrip_blocks=True)


def render_html(digest: Digest, job_name: str, charts: Mapping[str, str], *,
                include_emails: bool = False, letter_file: str = "") -> str:
    """The page; `charts` maps a chart name ("cumulative", "scope") to its image `src`."""
    return _ENVIRONMENT.from_string(_TEMPLATE).render(
        job=job_name, period=period(digest), summary=digest.summary, totals=totals(digest),
        skipped=digest.skipped, charts=dict(charts), chart_titles=CHART_TITLES,
        sections=sections(digest, include_emails), letter_file=letter_file, trend=_trend,
    )


def _trend(change: str) -> str:
    return {"+": "up", "-": "down"}.get(change[:1], "")
