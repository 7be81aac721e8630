"""The report's stylesheet, inlined into the HTML (no external fonts or files).

Sized for a projector: large base font, high contrast, wide tables that scroll
sideways rather than shrink. Better and worse differences carry a word and an
arrow as well as a colour, so the marks survive colour-vision deficiencies and
black-and-white printing.
"""

CSS = """
:root { --ink: #1a1a1a; --muted: #555; --line: #d0d0d0; --band: #f3f5f7;
        --better: #0b6e3a; --better-bg: #dcf3e4; --worse: #a3141c; --worse-bg: #fbe0e1; --neutral-bg: #e8eaf6; }
* { box-sizing: border-box; }
html { font-size: 20px; }
body { margin: 0 auto; max-width: 1400px; padding: 1.5rem 2rem 4rem; color: var(--ink); background: #fff;
       font-family: "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", sans-serif; line-height: 1.45; }
h1 { font-size: 2.1rem; margin: 0.2rem 0 0.2rem; }
h2 { font-size: 1.55rem; margin: 2.4rem 0 0.8rem; padding-bottom: 0.3rem; border-bottom: 3px solid var(--ink); }
h3 { font-size: 1.2rem; margin: 1.6rem 0 0.5rem; }
p, li, dd { max-width: 70rem; }
.subtitle { font-size: 1.2rem; color: var(--muted); margin-top: 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 0.45rem 0.7rem; border-bottom: 1px solid var(--line); vertical-align: top; text-align: left; }
thead th { border-bottom: 3px solid var(--ink); vertical-align: bottom; }
td.num { text-align: right; white-space: nowrap; }
tr.group th { background: var(--band); font-size: 1.1rem; padding-top: 0.8rem; }
.swatch { display: inline-block; width: 0.9rem; height: 0.9rem; border-radius: 0.2rem; margin-right: 0.4rem; vertical-align: -0.05rem; }
.note { color: var(--muted); font-size: 0.85rem; font-weight: normal; }
.mean { font-size: 1.1rem; font-weight: 600; }
.ci { color: var(--muted); font-size: 0.85rem; }
.diff { margin-top: 0.35rem; padding: 0.15rem 0.4rem; border-radius: 0.3rem; }
.diff.better { background: var(--better-bg); color: var(--better); font-weight: 600; }
.diff.worse { background: var(--worse-bg); color: var(--worse); font-weight: 600; }
.diff.differs { background: var(--neutral-bg); font-weight: 600; }
.diff .ci { color: inherit; font-weight: normal; }
.mark { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.03em; margin-right: 0.3rem; }
.legend span.diff { display: inline-block; margin-right: 1rem; }
figure { margin: 1rem 0 1.8rem; }
figure img { max-width: 100%; height: auto; display: block; }
dl.glossary dt { font-weight: 600; margin-top: 0.6rem; }
dl.glossary dd { margin-left: 1.2rem; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; font-family: ui-monospace, "DejaVu Sans Mono", Consolas, monospace; font-size: 0.9rem; }
details { margin: 1rem 0; }
#scorecard table { font-size: 0.78rem; table-layout: auto; }
#scorecard th, #scorecard td { padding: 0.35rem 0.4rem; }
#scorecard td.num { white-space: normal; overflow-wrap: anywhere; }
#scorecard .mean { font-size: 0.95rem; }
#scorecard .ci, #scorecard .diff .ci { white-space: nowrap; display: inline-block; }
summary { cursor: pointer; font-weight: 600; font-size: 1.05rem; }
pre { background: var(--band); padding: 1rem; overflow-x: auto; font-size: 0.75rem; line-height: 1.35; }
@media print { html { font-size: 12px; } h2 { break-after: avoid; } figure, tr { break-inside: avoid; } }
"""
