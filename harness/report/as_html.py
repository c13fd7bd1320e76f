"""report.html: the matrix on one screen, each cell opening to its evidence.

One self-contained file (inline CSS and script, no network, works from ``file://``):

- the compact matrix first: scenario rows x OS/machine > Python > layout/installer
  columns, one symbol and colour per cell (:mod:`harness.report.statuses`);
- clicking a cell shows, beside the matrix, the scenario's claim, each expectation with
  its evidence, the cause and fix of a failure, the loaded libraries by location and the
  cell's facts; every cell has an anchor (``#cell-...``) that opens it, also without the
  script (``:target``);
- filters: failed only, OS, Python, layout and scenario text (``#failed`` in the address
  turns "failed only" on);
- light and dark colours, following the system's ``prefers-color-scheme``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from harness.report.model import Cell, Column, Report, by_location, cause_items, facts
from harness.report.statuses import LOOKS, UNKNOWN, Look, look


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _class(status: str) -> str:
    return "s-" + (status if status in LOOKS else "unknown")


def _status_css() -> str:
    looks: list[tuple[str, Look]] = [*LOOKS.items(), ("unknown", UNKNOWN)]
    light = "".join(
        f".s-{name}{{background:{item.light[0]};color:{item.light[1]}}}" for name, item in looks
    )
    dark = "".join(
        f".s-{name}{{background:{item.dark[0]};color:{item.dark[1]}}}" for name, item in looks
    )
    problems = "".join(f".s-{name}{{font-weight:700}}" for name, item in looks if item.problem)
    return f"{light}{problems}\n@media (prefers-color-scheme: dark){{{dark}}}"


_CSS = """
:root { color-scheme: light dark; --bg: #fff; --fg: #1d1d1f; --muted: #666; --line: #d6d6d6;
  --head: #f2f2f4; --panel: #fafafa; --code: #eef0f3; --pick: #1a5fd0; --row: 17px;
  font: 12px/1.35 system-ui, -apple-system, "Segoe UI", sans-serif; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #16171a; --fg: #e4e4e7; --muted: #9a9aa3; --line: #34353b; --head: #222329;
    --panel: #1c1d21; --code: #2a2c33; --pick: #79a8ff; }
}
* { box-sizing: border-box; }
html, body { background: var(--bg); color: var(--fg); }
/* One screen: header and filters on top, the matrix and the panel share the rest and
   scroll inside themselves (never the page sideways). */
body { margin: 0; padding: 4px 10px 6px; height: 100vh; display: flex; flex-direction: column; }
h1 { font-size: 15px; margin: 0; display: inline; }
header { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: baseline; }
header .runs { color: var(--muted); }
.bar { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: center; margin: 3px 0 5px; }
.bar select, .bar input[type=search] { font: inherit; padding: 0 2px; max-width: 14em; }
.legend { margin: 0 0 4px; color: var(--muted); }
.legend span { margin-right: 8px; white-space: nowrap; }
.legend b { display: inline-block; min-width: 1.5em; text-align: center; border-radius: 3px; }
#totals span { margin-right: 6px; white-space: nowrap; }
main { flex: 1 1 auto; min-height: 0; display: flex; gap: 10px; align-items: flex-start; }
.matrix { flex: 0 1 auto; min-width: 0; max-height: 100%; overflow: auto;
  border: 1px solid var(--line); }
table.m { border-collapse: separate; border-spacing: 0; }
table.m th, table.m td { border-right: 1px solid var(--line); border-bottom: 1px solid var(--line);
  padding: 0 3px; white-space: nowrap; text-align: center; height: var(--row); }
table.m thead th { position: sticky; background: var(--head); z-index: 2; font-weight: 600; }
table.m thead tr:nth-child(1) th { top: 0; }
table.m thead tr:nth-child(2) th { top: calc(var(--row) + 1px); }
table.m thead tr:nth-child(3) th { top: calc(2 * var(--row) + 2px); font-weight: 400;
  font-size: 11px; line-height: 1.05; height: calc(1.5 * var(--row)); }
table.m th.scenario { position: sticky; left: 0; z-index: 3; text-align: left;
  background: var(--head); }
table.m tbody th.scenario { z-index: 1; font-weight: 400; background: var(--panel);
  font: 11px/1.2 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
table.m thead th.scenario { z-index: 4; }
table.m .first { border-left: 2px solid var(--muted); }
table.m td { padding: 0; min-width: 22px; }
table.m td a { display: block; color: inherit; text-decoration: none; line-height: var(--row);
  padding: 0 4px; }
table.m td.picked { outline: 2px solid var(--pick); outline-offset: -2px; }
table.m tbody tr:hover th.scenario { color: var(--pick); }
#panel { flex: 1 1 30rem; min-width: 30rem; max-height: 100%;
  overflow: auto; background: var(--panel);
  border: 1px solid var(--line); padding: 6px 10px; overflow-wrap: anywhere; }
#panel h2 { font-size: 14px; margin: 0 0 2px; }
#panel h3 { font-size: 12px; margin: 8px 0 2px; color: var(--muted); text-transform: uppercase;
  letter-spacing: .04em; }
#panel p { margin: 2px 0; }
/* A matrix too wide to share the screen takes it whole; the panel then opens over it. */
body.overlay .matrix { flex-shrink: 0; max-width: 100%; }
body.overlay #panel { display: none; position: fixed; top: 6px; right: 10px; bottom: 6px;
  width: min(36rem, 92vw); max-height: none; z-index: 10; box-shadow: 0 4px 18px #0007; }
body.overlay #panel.has-open { display: block; }
#close { display: none; float: right; font: inherit; cursor: pointer; }
body.overlay #close { display: inline; }
.detail { display: none; }
.detail.open, .detail:target { display: block; }
#panel.has-open #hint { display: none; }
.badge { padding: 0 5px; border-radius: 3px; }
code, pre { font: 11px/1.3 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  background: var(--code); border-radius: 2px; }
code { padding: 0 2px; }
pre { white-space: pre-wrap; margin: 2px 0; padding: 3px 5px; }
table.x { border-collapse: collapse; width: 100%; }
table.x td, table.x th { border-top: 1px solid var(--line); padding: 1px 4px; text-align: left;
  vertical-align: top; font-weight: 400; }
table.x td.mark { width: 1.6em; text-align: center; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 1px 8px; margin: 2px 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; }
.runs-list { margin: 2px 0; padding-left: 1.4em; }
"""

_SCRIPT = """
(function () {
  var q = function (s, root) { return (root || document).querySelectorAll(s); };
  var failed = document.getElementById('failed-only');
  var pick = { platform: document.getElementById('f-os'),
    python: document.getElementById('f-python'), setup: document.getElementById('f-setup') };
  var text = document.getElementById('f-text');
  var panel = document.getElementById('panel');
  function keep(el) {
    for (var k in pick) { if (pick[k].value && el.getAttribute('data-' + k) !== pick[k].value) return false; }
    return true;
  }
  function apply() {
    document.body.classList.toggle('failed-only', failed.checked);
    var heads = q('#matrix th.setup'), shown = 0, total = 0;
    for (var i = 0; i < heads.length; i++) heads[i].hidden = !keep(heads[i]);
    var groups = q('#matrix th.group');
    for (var g = 0; g < groups.length; g++) {
      var n = 0;
      for (var h = 0; h < heads.length; h++) {
        if (!heads[h].hidden && heads[h].getAttribute('data-platform') === groups[g].getAttribute('data-platform')
            && (!groups[g].hasAttribute('data-python') || heads[h].getAttribute('data-python') === groups[g].getAttribute('data-python'))) n++;
      }
      groups[g].hidden = n === 0;
      if (n) groups[g].colSpan = n;
    }
    var needle = text.value.trim().toLowerCase();
    var rows = q('#matrix > tbody > tr');
    for (var r = 0; r < rows.length; r++) {
      var cells = q('td', rows[r]), problem = false, any = false;
      for (var c = 0; c < cells.length; c++) {
        var on = keep(cells[c]);
        cells[c].hidden = !on;
        if (on && cells[c].hasAttribute('data-status')) { any = true; total++;
          if (cells[c].hasAttribute('data-problem')) problem = true; }
      }
      var name = rows[r].getAttribute('data-scenario').toLowerCase();
      var visible = any && (!failed.checked || problem) && (!needle || name.indexOf(needle) >= 0);
      rows[r].hidden = !visible;
      if (visible) shown += q('td[data-status]:not([hidden])', rows[r]).length;
    }
    document.getElementById('shown').textContent = shown + ' of ' + q('td[data-status]').length + ' cells shown';
  }
  function open(id) {
    var target = id && document.getElementById(id);
    if (!target || !target.classList.contains('detail')) return false;
    var was = q('.detail.open, td.picked');
    for (var i = 0; i < was.length; i++) was[i].classList.remove('open', 'picked');
    target.classList.add('open');
    panel.classList.add('has-open');
    var td = document.querySelector('td[data-cell="' + id + '"]');
    if (td) td.classList.add('picked');
    panel.scrollTop = 0;
    return true;
  }
  document.getElementById('matrix').addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('td a');
    if (!link) return;
    event.preventDefault();
    var id = link.getAttribute('href').slice(1);
    if (open(id) && history.replaceState) history.replaceState(null, '', '#' + id);
  });
  function fit() {
    document.body.classList.remove('overlay');
    var room = document.querySelector('main').clientWidth - parseFloat(getComputedStyle(panel).minWidth);
    var need = document.getElementById('matrix').offsetWidth + 12;
    document.body.classList.toggle('overlay', need > room);
  }
  document.getElementById('close').addEventListener('click', function () {
    var was = q('.detail.open, td.picked');
    for (var i = 0; i < was.length; i++) was[i].classList.remove('open', 'picked');
    panel.classList.remove('has-open');
    if (history.replaceState) history.replaceState(null, '', location.pathname + location.search);
  });
  window.addEventListener('resize', fit);
  failed.addEventListener('change', apply);
  for (var k in pick) pick[k].addEventListener('change', apply);
  text.addEventListener('input', apply);
  var hash = location.hash.slice(1);
  if (/^failed(-only)?$/.test(hash)) failed.checked = true;
  apply();
  fit();
  if (open(hash)) {
    // The browser scrolls the opened detail to the top, hiding the header: show the
    // page from its top, with the picked cell in view.
    window.addEventListener('load', function () {
      window.scrollTo(0, 0);
      var td = document.querySelector('td.picked');
      if (td) td.scrollIntoView({block: 'nearest'});
    });
  }
  window.addEventListener('hashchange', function () { open(location.hash.slice(1)); });
})();
"""


def _spans(columns: Sequence[Column], key: Callable[[Column], Any]) -> list[tuple[Any, int]]:
    """Consecutive runs of equal ``key(column)``: ``(value, count)``."""
    spans: list[tuple[Any, int]] = []
    for column in columns:
        value = key(column)
        if spans and spans[-1][0] == value:
            spans[-1] = (value, spans[-1][1] + 1)
        else:
            spans.append((value, 1))
    return spans


def _data(column: Column) -> str:
    return (
        f'data-platform="{_e(column.platform)}" data-python="{_e(column.python_label)}" '
        f'data-setup="{_e(column.setup)}"'
    )


def _head(columns: Sequence[Column], firsts: set[Column]) -> str:
    row1 = "".join(
        f'<th class="group first" data-platform="{_e(value)}" colspan="{n}">{_e(value)}</th>'
        for value, n in _spans(columns, lambda c: c.platform)
    )
    row2 = []
    index = 0
    for (platform, python), n in _spans(columns, lambda c: (c.platform, c.python_label)):
        first = " first" if columns[index] in firsts else ""
        row2.append(
            f'<th class="group{first}" data-platform="{_e(platform)}" '
            f'data-python="{_e(python)}" colspan="{n}">{_e(python)}</th>'
        )
        index += n
    row3 = "".join(
        f'<th class="setup{" first" if c in firsts else ""}" {_data(c)} title="{_e(c.label)}">'
        f"{_e(c.layout)}<br>{_e(c.installer)}</th>"
        for c in columns
    )
    return (
        f'<thead><tr><th class="scenario" rowspan="3">scenario</th>{row1}</tr>'
        f"<tr>{''.join(row2)}</tr><tr>{row3}</tr></thead>"
    )


def _body(report: Report, columns: Sequence[Column], firsts: set[Column]) -> str:
    table = report.table()
    claims = {cell.scenario: cell.verdict.description for cell in report.cells}
    rows = []
    for scenario in report.scenarios:
        tds = []
        problem = False
        for column in columns:
            first = " first" if column in firsts else ""
            cell = table.get((scenario, column))
            if cell is None:
                tds.append(f'<td class="none{first}" {_data(column)}></td>')
                continue
            problem = problem or cell.problem
            item = look(cell.status)
            flag = " data-problem" if cell.problem else ""
            title = f"{scenario} · {column.label} · {cell.status}"
            tds.append(
                f'<td class="{_class(cell.status)}{first}" {_data(column)} '
                f'data-status="{_e(cell.status)}" data-cell="{cell.anchor}"{flag}>'
                f'<a href="#{cell.anchor}" title="{_e(title)}">{item.symbol}</a></td>'
            )
        mark = ' class="has-problem"' if problem else ""
        claim = " ".join(claims.get(scenario, "").split())
        rows.append(
            f'<tr{mark} data-scenario="{_e(scenario)}"><th class="scenario" '
            f'title="{_e(claim)}">{_e(scenario)}</th>{"".join(tds)}</tr>'
        )
    return "<tbody>" + "\n".join(rows) + "</tbody>"


def _kv(items: Sequence[tuple[str, str]], pre: frozenset[str] = frozenset()) -> str:
    parts = []
    for name, text in items:
        value = f"<pre>{_e(text)}</pre>" if name in pre or "\n" in text else _e(text)
        parts.append(f"<dt>{_e(name)}</dt><dd>{value}</dd>")
    return f'<dl class="kv">{"".join(parts)}</dl>' if parts else ""


def _detail(cell: Cell) -> str:
    verdict = cell.verdict
    item = look(cell.status)
    out = [
        f'<section class="detail" id="{cell.anchor}">',
        f'<h2><span class="badge {_class(cell.status)}">{item.symbol} {_e(cell.status)}</span> '
        f"{_e(cell.scenario)}</h2>",
        f'<p><a href="#{cell.anchor}">{_e(cell.column.label)}</a></p>',
    ]
    if verdict.description:
        out.append(
            f'<h3>Claim</h3><p class="claim">{_e(" ".join(verdict.description.split()))}</p>'
        )
    if verdict.cause is not None:
        cause = verdict.cause
        heading = "Cause and fix" if cell.problem else "Why"
        out.append(
            f'<h3>{heading}</h3><div class="cause"><p><b>{_e(cause.kind)}</b>: {_e(cause.what)}</p>'
            f"{_kv(cause_items(cause))}</div>"
        )
    if verdict.expectations:
        failed = sum(not e.ok for e in verdict.expectations)
        rows = "".join(
            f'<tr class="{"ok" if e.ok else "bad"}"><td class="mark {_class("passed" if e.ok else "failed")}">'
            f"{'✓' if e.ok else '✗'}</td><td>{_e(e.subject)}</td>"
            f"<td>expected <code>{_e(e.expected)}</code><br>evidence <code>{_e(e.evidence)}</code></td></tr>"
            for e in sorted(verdict.expectations, key=lambda e: e.ok)
        )
        out.append(
            f"<h3>Expectations ({len(verdict.expectations)}, {failed} unmet)</h3>"
            f'<table class="x expectations">{rows}</table>'
        )
    if verdict.checks:
        rows = "".join(
            f'<tr><td class="mark {_class("passed" if c.ok else "failed")}">{"✓" if c.ok else "✗"}</td>'
            f"<td>{_e(c.test)}</td><td>{_e(c.message)}</td></tr>"
            for c in verdict.checks
        )
        out.append(f'<h3>Scenario checks</h3><table class="x checks">{rows}</table>')
    libraries = by_location(verdict.libraries)
    if libraries:
        rows = "".join(
            f"<tr><th>{_e(location)}</th><td>{_e(name)}</td><td><code>{_e(path)}</code></td></tr>"
            for location, loaded in libraries.items()
            for name, path in loaded
        )
        out.append(
            f'<h3>Loaded libraries by location</h3><table class="x libraries">{rows}</table>'
        )
    shown = facts(verdict)
    if shown:
        out.append(f"<h3>Facts</h3>{_kv(shown)}")
    out.append("</section>")
    return "".join(out)


def _runs(report: Report) -> str:
    def one(index: int) -> str:
        run = report.runs[index]
        versions = ", ".join(run.pythons.values()) or ", ".join(
            f"{k} {v}" for k, v in run.loaders.items()
        )
        return (
            f"{_e(run.platform)} · {_e(versions or 'no interpreter')} · harness "
            f"{_e(run.harness_version)} · {_e(run.created)}"
        )

    if len(report.runs) == 1:
        return f'<span class="runs">{one(0)}</span>'
    items = "".join(f"<li>{one(i)}</li>" for i in range(len(report.runs)))
    return (
        f'<details class="runs"><summary>{len(report.runs)} runs merged</summary>'
        f'<ol class="runs-list">{items}</ol></details>'
    )


def _select(name: str, label: str, values: Sequence[str]) -> str:
    options = "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in values)
    return f'<label>{label} <select id="f-{name}"><option value="">all</option>{options}</select></label>'


def render(report: Report) -> str:
    columns = report.columns
    firsts = {
        columns[i]
        for i in range(len(columns))
        if i == 0 or columns[i].platform != columns[i - 1].platform
    }
    totals = "".join(
        f'<span class="{_class(status)} badge">{look(status).symbol} {n} {_e(status)}</span>'
        for status, n in report.totals().items()
        if n
    )
    legend = "".join(
        f'<span><b class="{_class(status)}">{item.symbol}</b> {_e(status)}</span>'
        for status, item in LOOKS.items()
    )

    def unique(key: Callable[[Column], str]) -> list[str]:
        return list(dict.fromkeys(key(c) for c in columns))

    title = "Interop harness report"
    if len(report.runs) > 1:
        title += f": {len(report.runs)} runs"
    details = "\n".join(_detail(cell) for cell in report.cells)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{_e(title)}</title>
<style>{_CSS}{_status_css()}</style></head>
<body>
<header><h1>{_e(title)}</h1><span id="totals">{totals}</span>{_runs(report)}</header>
<form class="bar" id="filters" onsubmit="return false">
<label><input type="checkbox" id="failed-only"> failed only</label>
{_select("os", "OS", unique(lambda c: c.platform))}
{_select("python", "Python", unique(lambda c: c.python_label))}
{_select("setup", "layout", sorted(unique(lambda c: c.setup)))}
<label>scenario <input type="search" id="f-text" placeholder="text in the name"></label>
<span id="shown"></span>
</form>
<main>
<div class="matrix"><table class="m" id="matrix">
{_head(columns, firsts)}
{_body(report, columns, firsts)}
</table></div>
<aside id="panel"><button id="close" type="button" title="close">✕</button><p class="legend">{legend}</p><p id="hint">Click a cell: its scenario's claim, each expectation with its
evidence, the cause and fix of a failure, and the libraries it loaded, by location.</p>
{details}
</aside>
</main>
<script>{_SCRIPT}</script>
</body></html>
"""
