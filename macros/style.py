"""The macros' stylesheet: colours as CSS variables so dark mode is one block of overrides.

Colours follow Atlassian's design tokens for success / warning / danger / subtle. The SVG also
carries the light colours as presentation attributes, so a renderer that ignores CSS still draws it.
"""

from __future__ import annotations

from connector.domain.health import Band

LIGHT: dict[str, str] = {
    "bg": "#FFFFFF",
    "fg": "#172B4D",
    "muted": "#44546F",
    "node": "#F7F8F9",
    "node-stroke": "#8590A2",
    "team": "#E9F2FF",
    "team-stroke": "#0C66E4",
    "link": "#0C66E4",
    "focus": "#388BFF",
    "healthy": "#1F845A",
    "at_risk": "#B65C02",
    "unhealthy": "#C9372C",
    "no_feedback": "#626F86",
    "hot": "#C9372C",
    "border": "#DCDFE4",
}
DARK: dict[str, str] = {
    "bg": "#1D2125",
    "fg": "#DEE4EA",
    "muted": "#9FADBC",
    "node": "#22272B",
    "node-stroke": "#738496",
    "team": "#1C2B41",
    "team-stroke": "#579DFF",
    "link": "#579DFF",
    "focus": "#85B8FF",
    "healthy": "#4BCE97",
    "at_risk": "#F5CD47",
    "unhealthy": "#F87168",
    "no_feedback": "#8C9BAB",
    "hot": "#F87168",
    "border": "#38414A",
}
BANDS: tuple[Band, ...] = ("healthy", "at_risk", "unhealthy", "no_feedback")
# From this frame width on, the integrator map's drawing for wide frames (1,200 px at full size,
# plus the page's padding and a scrollbar) replaces the one for narrow frames.
WIDE_FRAME = 1232
# A second, non-colour encoding of the band: the stroke pattern of the edge.
DASHES: dict[Band, str] = {
    "healthy": "none",
    "at_risk": "10 5",
    "unhealthy": "12 4 2 4",
    "no_feedback": "2 4",
}


def colour(name: str) -> str:
    return LIGHT[name]


def _vars(palette: dict[str, str]) -> str:
    return "".join(f"--icm-{name.replace('_', '-')}:{value};" for name, value in palette.items())


def _band_rules() -> str:
    rules = []
    for band in BANDS:
        var = f"var(--icm-{band.replace('_', '-')})"
        rules.append(f".icm .edge-{band}{{stroke:{var}}}")
        rules.append(f".icm .fill-{band}{{fill:{var}}}")
        rules.append(f".icm .badge-{band}{{border-color:{var};color:inherit}}")
        rules.append(f".icm .badge-{band} .swatch{{background:{var}}}")
    return "\n".join(rules)


CSS = f"""
html,body{{margin:0}}
.icm{{{_vars(LIGHT)}color-scheme:light;padding:8px;color:var(--icm-fg);background:var(--icm-bg);
font:14px/1.4 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}}
@media (prefers-color-scheme: dark){{
html:not(.icm-theme-light) .icm{{{_vars(DARK)}color-scheme:dark}}}}
html.icm-theme-dark .icm,.icm.icm-theme-dark{{{_vars(DARK)}color-scheme:dark}}
html.icm-theme-light .icm{{{_vars(LIGHT)}color-scheme:light}}
.icm a{{color:var(--icm-link)}}
.icm a:focus-visible{{outline:2px solid var(--icm-focus);outline-offset:2px}}
.icm svg a:focus-visible rect,.icm svg a:focus-visible path{{
stroke:var(--icm-focus);stroke-width:3}}
.icm svg{{display:block;max-width:100%;height:auto;font-family:inherit}}
.icm .figure{{max-width:100%;margin:8px 0}}
.icm .only-wide{{display:none}}
@media (min-width:{WIDE_FRAME}px){{
.icm .only-wide{{display:block}}.icm .only-narrow{{display:none}}}}
.icm .figure-scroll{{overflow:auto;max-width:100%}}
.icm .zoom-toggle:checked~.figure-scroll svg.map{{width:var(--icm-full)}}
.icm .zoomable label{{margin-left:4px}}
.icm svg text{{fill:var(--icm-fg)}}
.icm svg .muted{{fill:var(--icm-muted)}}
.icm svg .node{{fill:var(--icm-node);stroke:var(--icm-node-stroke)}}
.icm svg .team{{fill:var(--icm-team);stroke:var(--icm-team-stroke)}}
.icm svg .label-bg{{fill:var(--icm-bg);opacity:.85}}
.icm svg .hot{{fill:var(--icm-hot)}}
.icm svg .hot-ring{{fill:none;stroke:var(--icm-hot)}}
{_band_rules()}
.icm{{overflow-wrap:break-word}}
.icm .table-wrap{{overflow-x:auto;max-width:100%}}
.icm table{{border-collapse:collapse;width:100%;margin:8px 0}}
.icm caption{{text-align:left;font-weight:600;padding:4px 0}}
.icm th,.icm td{{border:1px solid var(--icm-border);padding:4px 6px;text-align:left;
vertical-align:top}}
.icm .free{{overflow-wrap:anywhere}}
.icm th{{font-weight:600}}
.icm th[scope=col]{{hyphens:manual}}
.icm tr.group th{{background:var(--icm-node)}}
.icm .nowrap{{white-space:nowrap}}
.icm .cell-line{{display:block}}
.icm .spark{{display:block;color:var(--icm-muted);margin-top:2px}}
.icm .spark-text{{display:block;font-size:12px}}
.icm .measure-chart{{display:block;color:var(--icm-muted);margin:2px 0 4px}}
.icm .chart-text{{display:block;font-size:12px}}
.icm .download{{margin:8px 0}}
.icm .download[hidden]{{display:none}}
.icm .badge{{display:inline-block;border:1px solid;border-radius:3px;padding:0 4px;
white-space:nowrap}}
.icm .badge.health{{white-space:normal}}
.icm .swatch{{display:inline-block;width:.7em;height:.7em;border-radius:50%;margin-right:4px}}
.icm .legend{{display:flex;flex-wrap:wrap;gap:8px 16px;list-style:none;padding:0;margin:8px 0}}
.icm .health[title]:focus-visible::after{{content:attr(title);display:block;white-space:normal;
max-width:22em;font-weight:400;font-size:12px;padding:2px 0}}
.icm .glossary{{margin:4px 0 8px}}
.icm .glossary summary{{cursor:pointer;color:var(--icm-link)}}
.icm .glossary dl{{margin:4px 0;display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}}
.icm .glossary dt{{font-weight:600}}
.icm .glossary dd{{margin:0}}
.icm .hot-spots{{border-left:4px solid var(--icm-hot);padding:4px 12px;margin:8px 0}}
.icm .error{{border:1px solid var(--icm-unhealthy);border-radius:3px;padding:8px 12px}}
.icm .visually-hidden{{position:absolute;width:1px;height:1px;overflow:hidden;
clip:rect(0 0 0 0);white-space:nowrap}}
.icm ul.plain{{margin:0;padding-left:1.2em}}
@media print{{.icm .download,.icm .zoom-toggle,.icm .zoomable label{{display:none}}}}
""".strip()
