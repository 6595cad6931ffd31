"""HTML around the maps: the iframe document, the legend, the hot-spot list and error boxes.

`page(static=True)` is for PDF, export and other render modes: no script at all. In the iframe the
Connect `all.js` is loaded async, so the macro still shows when it cannot load (offline).

The document around a fragment is made per request and never cached, so it is where what belongs
to one viewer goes: the context token with which its script asks the app for a CSV file.
"""

from __future__ import annotations

from collections.abc import Sequence

from connector.domain.health import MIN_RATINGS
from macros.glossary import glossary
from macros.markup import esc, safe_url
from macros.style import BANDS, CSS
from macros.view import BAND_LABELS, TREND_GLYPHS, TREND_LABELS, Health, HotSpot, HotSpotKind

THEMES = ("light", "dark")
PATTERN_NAMES = {
    "healthy": "solid line",
    "at_risk": "dashed line",
    "unhealthy": "dash-dot line",
    "no_feedback": "dotted line",
}

APP_NOT_INSTALLED = (
    "The Internal Customer Map app is not installed on this site, or it was disabled. "
    "Ask a site administrator to install or enable it."
)
SESSION_EXPIRED = "This page was open too long and its sign-in has expired. Reload the page."


def unknown_team_message(team_key: str) -> str:
    return f"There is no team with the key “{team_key}”. Check the macro's team parameter."


# Resize the macro's iframe to its content once the page (and all.js, when it loads) is ready.
_RESIZE = (
    "(function(){function r(){if(window.AP&&typeof window.AP.resize==='function'){"
    "window.AP.resize();}}window.addEventListener('load',r);r();})();"
)


# "Download CSV" (`macros.render.download_button`): ask the app for the file as this viewer, with a
# fresh context token from all.js when it has loaded, else the one the page was served with, and
# hand the file to the browser. The API decides what this viewer's site may read.
_DOWNLOAD = """
(function () {
  function meta(name) {
    var el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.content : "";
  }
  function token() {
    var served = meta("icm-token");
    return new Promise(function (resolve) {
      var ap = window.AP;
      if (!ap || !ap.context || typeof ap.context.getToken !== "function") {
        resolve(served);
        return;
      }
      var done = false;
      var finish = function (fresh) { if (!done) { done = true; resolve(fresh || served); } };
      setTimeout(finish, 1500);
      ap.context.getToken(finish);
    });
  }
  function refusal(response) {
    var plain = "the app answered " + response.status;
    return response.json().then(function (body) {
      return (body && body.error && body.error.message) || plain;
    }, function () { return plain; });
  }
  function download(button) {
    var status = button.parentNode.querySelector(".download-status");
    var say = function (text) { if (status) { status.textContent = text; } };
    var query = button.getAttribute("data-icm-csv");
    var name = button.getAttribute("data-icm-csv-name") || "expectations.csv";
    button.disabled = true;
    say("Preparing " + name + "\u2026");
    token().then(function (jwt) {
      var url = meta("icm-api") + "/expectations.csv" + (query ? "?" + query : "");
      return fetch(url, { headers: { "Authorization": "JWT " + jwt } });
    }).then(function (response) {
      if (!response.ok) {
        return refusal(response).then(function (why) { throw new Error(why); });
      }
      return response.blob();
    }).then(function (blob) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = name;
      link.hidden = true;
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      say("Downloaded " + name + ".");
    }, function (error) {
      say("The file could not be made: " + error.message + ". Reload the page and try again.");
    }).then(function () { button.disabled = false; });
  }
  function start() {
    if (!meta("icm-api") || !window.fetch) { return; }
    var buttons = document.querySelectorAll("button[data-icm-csv]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener("click", function () { download(button); });
      var box = button.closest(".download");
      if (box) { box.hidden = false; }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
""".strip()


def page(
    title: str,
    body_html: str,
    *,
    static: bool,
    theme: str | None,
    all_js_url: str | None,
    nonce: str | None = None,
    api_url: str | None = None,
    token: str | None = None,
) -> str:
    """A complete HTML5 document for the macro iframe (or, static, for export).

    With `api_url` (the app's `/api/v1`) and a context `token` for this viewer, the fragment's
    "Download CSV" buttons work; without them they stay hidden."""
    theme_class = f' class="icm-theme-{theme}"' if theme in THEMES else ""
    scripts = metas = tail = ""
    if not static:
        nonce_attr = f' nonce="{esc(nonce)}"' if nonce else ""
        src = safe_url(all_js_url)
        if src is not None:
            scripts += (
                f'<script src="{esc(src)}"{nonce_attr} async '
                'data-options="sizeToParent:false"></script>'
            )
        scripts += f"<script{nonce_attr}>{_RESIZE}</script>"
        api = safe_url(api_url)
        if api is not None and token:
            metas = (
                f'<meta name="icm-api" content="{esc(api)}">\n'
                f'<meta name="icm-token" content="{esc(token)}">\n'
            )
            tail = f"<script{nonce_attr}>{_DOWNLOAD}</script>\n"
    return (
        f'<!DOCTYPE html>\n<html lang="en"{theme_class}>\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"{metas}<title>{esc(title)}</title>\n<style>\n{CSS}\n</style>\n{scripts}"
        f'</head>\n<body>\n<main class="icm">\n{body_html}\n</main>\n{tail}</body>\n</html>\n'
    )


def error_box(message: str) -> str:
    """A short, readable error in place of the macro; never a stack trace."""
    return (
        '<div class="error" role="alert"><p><strong>The map cannot be shown.</strong> '
        f"{esc(message)}</p></div>"
    )


def health_badge(health: Health) -> str:
    """Band and score as text with a coloured dot; what they mean shows on hover (the title) and
    on keyboard focus (the same words under the badge, `.health` in the stylesheet)."""
    return (
        f'<span class="badge health badge-{health.band}" tabindex="0" '
        f'title="{esc(health.explanation)}"><span class="swatch" aria-hidden="true">'
        f"</span>{esc(health.label)}</span>"
    )


def trend_cell(health: Health) -> str:
    return (
        f'<span aria-hidden="true">{health.trend_glyph}</span> '
        f"{esc(health.trend_text.capitalize())}"
    )


def link(url: str | None, label: str) -> str:
    href = safe_url(url)
    if href is None:
        return esc(label)
    return f'<a href="{esc(href)}" target="_top">{esc(label)}</a>'


LEGEND_DETAILS = {
    "healthy": "70% or more",
    "at_risk": "40% to 69%",
    "unhealthy": "below 40%",
    "no_feedback": f"fewer than {MIN_RATINGS} ratings",
}


def legend() -> str:
    """What the colours, lines and marks mean, then the glossary of the practice's words."""
    items = []
    for band in BANDS:
        detail = f"{LEGEND_DETAILS[band]}, {PATTERN_NAMES[band]}"
        items.append(
            f'<li><span class="badge badge-{band}"><span class="swatch" aria-hidden="true">'
            f"</span>{BAND_LABELS[band]}</span> {esc(detail)}</li>"
        )
    trends = ", ".join(f"{TREND_GLYPHS[t]} {TREND_LABELS[t]}" for t in ("up", "flat", "down"))
    items.append(f"<li>Trend: {esc(trends)}</li>")
    items.append("<li>⚠ or ! marks what needs attention</li>")
    return f'<ul class="legend" aria-label="Legend">{"".join(items)}</ul>{glossary()}'


HOT_SPOT_HEADINGS: dict[HotSpotKind, str] = {
    "unhealthy_relationship": "Unhealthy relationships",
    "blocked_links": "Blocked cross-team links",
    "stale_relationship": "No recent feedback",
    "no_agreed_expectation": "Customers with no agreed expectation",
    "expectation_without_measure": "Expectations without a measure",
}


def hot_spot_list(spots: Sequence[HotSpot], limit: int = 20) -> str:
    """What needs attention (the hot spots), by kind, most serious first; long groups are cut
    (the table has them all)."""
    if not spots:
        return '<p class="hot-spots">Nothing needs attention.</p>'
    groups = []
    for kind, heading in HOT_SPOT_HEADINGS.items():
        found = [s for s in spots if s.kind == kind]
        if not found:
            continue
        items = "".join(f"<li>{link(s.url, s.message)}</li>" for s in found[:limit])
        more = len(found) - limit
        tail = f"<li>… and {more} more, listed in the table.</li>" if more > 0 else ""
        groups.append(f'<h3>{esc(heading)} ({len(found)})</h3><ul class="plain">{items}{tail}</ul>')
    return (
        f'<section class="hot-spots" aria-label="Needs attention">'
        f"<h2>Needs attention ({len(spots)})</h2>"
        f"{''.join(groups)}</section>"
    )
