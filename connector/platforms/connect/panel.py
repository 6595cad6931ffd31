"""The one-click rating panel shown on an expectation's Jira issue (rendered HTML, no framework):
`GET /feedback/panel?issue.key=…` renders it, `POST /feedback/panel` records a rating.

The comment comes first, then a labelled scale (1 Not met … 5 Fully met) and an explicit
Submit, which posts `{issueKey, rating, comment}` to `/feedback/panel` with a context token from
`AP.context.getToken()`, or the one the panel was served with when all.js is missing (offline) or
gives none; the answer is shown as a thank-you line and as the viewer's latest rating.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, Response, current_app, request
from markupsafe import Markup, escape
from marshmallow import fields, validate

from connector.api import schemas
from connector.api.routing import load_body, respond
from connector.db import request_session
from connector.domain.errors import NotFound
from connector.domain.health import NO_FEEDBACK, Health
from connector.domain.roles import Action, allows
from connector.platforms.connect.auth import tenant_required
from connector.platforms.connect.pages import context_token
from connector.practice.expectation_issues import expectation_for_issue
from connector.practice.feedback import SOURCE_PANEL, feedback_for, record_feedback
from connector.practice.health import expectation_health
from connector.practice.models import Expectation, Feedback
from connector.practice.roles import relationship_standing
from connector.web.caller import current_caller

bp = Blueprint("feedback_panel", __name__, url_prefix="/feedback")

HISTORY_POINTS = 24  # the newest ratings drawn on the panel

_SCRIPT = Markup("""
function icmToken(use) {
  var served = document.querySelector('meta[name="icm-token"]').content;
  if (!(window.AP && AP.context && typeof AP.context.getToken === 'function')) {
    use(served);
    return;
  }
  var done = false;
  var once = function (token) { if (!done) { done = true; use(token || served); } };
  setTimeout(function () { once(null); }, 1500);
  AP.context.getToken(once);
}
document.getElementById('icm-rate').addEventListener('submit', function (event) {
  event.preventDefault();
  var form = event.currentTarget;
  var chosen = form.querySelector('input[name="rating"]:checked');
  var status = document.getElementById('icm-status');
  var error = document.getElementById('icm-rating-error');
  if (!chosen) {
    error.textContent = 'Choose how well it is met, from 1 to 5.';
    form.querySelector('input[name="rating"]').focus();
    return;
  }
  error.textContent = '';
  var comment = document.getElementById('icm-comment').value.trim() || null;
  icmToken(function (token) {
    fetch(form.dataset.action, {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'Authorization': 'JWT ' + token},
      body: JSON.stringify({issueKey: form.dataset.issue, rating: Number(chosen.value),
                            comment: comment})
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error((body.error && body.error.message) || r.statusText); }
        var thanks = 'Thank you: your rating is recorded.';
        status.textContent = thanks;
        if (window.AP && AP.flag) {
          AP.flag.create({title: thanks, type: 'success', close: 'auto',
                          body: 'The supplier sees it on its team page and in the map.'});
        }
        document.getElementById('icm-mine').textContent = 'Your latest rating: ' + body.rating +
          ' of 5' + (body.comment ? ' \u201c' + body.comment + '\u201d' : '');
      });
    }).catch(function (e) {
      error.textContent = 'Your rating could not be recorded: ' + e.message;
    });
  });
});
""")


def render_panel(
    expectation: Expectation | None,
    health: Health | None,
    *,
    all_js_url: str,
    action_url: str = "/feedback/panel",
    token: str = "",
    mine: Feedback | None = None,
    ratings: Sequence[Feedback] = (),
    may_rate: bool = True,
) -> str:
    """The panel; `token` is the context token its script falls back on, `mine` the viewer's
    latest rating of this expectation; `may_rate` whether the viewer may rate it (else no form)."""
    head = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="icm-token" content="{escape(token)}">'
        "<title>Internal customer feedback</title>"
        f'<script src="{escape(all_js_url)}" async data-options="sizeToParent:true"></script>'
        "<style>body{font:14px system-ui,sans-serif;margin:8px}label{display:block}"
        "textarea{width:100%;box-sizing:border-box;font:inherit}"
        "fieldset label{display:inline-block;margin:2px 8px 2px 0}.icm-error{color:#ae2e24}"
        "button{font:inherit;padding:6px 12px;border:0;border-radius:3px;"
        "background:#0c66e4;color:#fff}"
        "@media (prefers-color-scheme: dark){body{background:#1d2125;color:#c7d1db}"
        "textarea{background:#22272b;color:#c7d1db;border:1px solid #738496}"
        ".icm-error{color:#fd9891}button{background:#579dff;color:#1d2125}}"
        ".visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;"
        "clip:rect(0 0 0 0);white-space:nowrap}.icm-measures{list-style:none;padding:0}"
        ".icm-h{font-size:14px;margin:12px 0 4px}"
        ".health[title]:focus-visible::after{content:attr(title);display:block;font-size:12px}</style>"
        "</head><body>"
    )
    if expectation is None:
        return head + "<p>This issue is not an internal customer expectation.</p></body></html>"
    health = health or NO_FEEDBACK
    if may_rate:
        form = Markup(
            '<form id="icm-rate" data-action="{action}" data-issue="{issue}" novalidate>'
            '<label for="icm-comment">Your comment: what went well, what did not</label>'
            '<textarea id="icm-comment" rows="3"></textarea>'
            "<fieldset><legend>How well is this expectation met?</legend>{scale}</fieldset>"
            '<p id="icm-rating-error" class="icm-error"></p>'
            '<button type="submit">Submit your rating</button></form>'
        ).format(action=action_url, issue=expectation.jira_issue_key or "", scale=rating_scale())
    else:
        form = Markup('<p class="icm-meta">{why}</p>').format(
            why="Only the customer side (its lead and members) and the relationship's integrator"
            " rate this expectation."
        )
    body = Markup(
        "<p><strong>{statement}</strong></p><p>Health: "
        '<span class="health" tabindex="0" title="{explanation}">{label}</span></p>'
        "{form}{history}{measures}"
        '<p id="icm-mine">{mine}</p><p id="icm-status" role="status"></p><script>{script}</script>'
    ).format(
        history=ratings_over_time(ratings),
        measures=measures_block(expectation, action_url.removesuffix("/feedback/panel")),
        statement=expectation.statement,
        label=health.label,
        explanation=health.explanation,
        form=form,
        mine=_latest(mine),
        script=_SCRIPT if may_rate else "",
    )
    return head + str(body) + "</body></html>"


# What each point of the scale means (the Forge panel, forge/src/panel.js, says the same).
SCALE = ("Not met", "Rarely met", "Partly met", "Mostly met", "Fully met")


def rating_scale() -> Markup:
    """Five labelled radio buttons: "1 Not met" … "5 Fully met"."""
    choice = Markup(
        '<label><input type="radio" name="rating" value="{n}" required> {n} {words}</label>'
    )
    return Markup("").join(choice.format(n=n, words=w) for n, w in enumerate(SCALE, 1))


def measures_block(expectation: Expectation, base_url: str) -> Markup:
    """Where static/panel-measures.js shows the measures, their values and their forms."""
    if not expectation.measures:
        return Markup("")
    return Markup(
        '<h2 class="icm-h">Measures</h2><div id="icm-measures" data-api="{base}/api/v1" '
        'data-expectation="{id}"></div>'
        '<script type="module" src="{base}/pages/static/panel-measures.js"></script>'
    ).format(base=base_url, id=expectation.id)


def ratings_over_time(ratings: Sequence[Feedback]) -> Markup:
    """The expectation's ratings as dots over time (oldest left), with the same in words."""
    if not ratings:
        return Markup("")
    ordered = sorted(ratings, key=lambda f: f.at)[-HISTORY_POINTS:]
    first, last = ordered[0].at, ordered[-1].at
    span = max((last - first).total_seconds(), 1.0)
    words = (
        f"Ratings over time: {len(ordered)} from {first:%d %b %Y} to {last:%d %b %Y}: "
        + ", ".join(str(f.rating) for f in ordered)
    )
    dots = Markup("").join(
        Markup('<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="currentColor"/>').format(
            x=4 + 192 * (f.at - first).total_seconds() / span, y=4 + (5 - f.rating) * 8
        )
        for f in ordered
    )
    return Markup(
        '<svg id="icm-history" viewBox="0 0 200 40" width="200" height="40" role="img" '
        'aria-label="{words}"><title>{words}</title>'
        '<line x1="0" y1="36" x2="200" y2="36" stroke="currentColor" stroke-opacity=".3"/>'
        "{dots}</svg>"
    ).format(words=words, dots=dots)


def _latest(mine: Feedback | None) -> str:
    if mine is None:
        return ""
    comment = f" “{mine.comment}”" if mine.comment else ""
    return f"Your latest rating: {mine.rating} of 5{comment}"


class PanelFeedbackIn(schemas.FeedbackIn):
    issue_key = fields.String(required=True, data_key="issueKey", validate=validate.Length(max=32))


@bp.get("/panel")
@tenant_required()
def panel() -> Response:
    caller, session = current_caller(), request_session()
    site_id = caller.site_id
    expectation = expectation_for_issue(session, site_id, None, request.args.get("issue.key"))
    health = expectation_health(session, site_id, [expectation.id]) if expectation else {}
    ratings = feedback_for(session, site_id, expectation.id) if expectation else ()
    may_rate = expectation is not None and allows(
        Action.RATE,
        relationship_standing(session, site_id, caller.account_id, expectation.relationship),
    )
    html = render_panel(
        expectation,
        health.get(expectation.id) if expectation else None,
        all_js_url=current_app.config["ALL_JS_URL"],
        action_url=current_app.config["BASE_URL"] + "/feedback/panel",
        token=context_token(),
        mine=next((f for f in ratings if f.author_account_id == caller.account_id), None),
        ratings=ratings,
        may_rate=may_rate,
    )
    return Response(html, mimetype="text/html")


@bp.post("/panel")
@tenant_required(context_qsh=True)
def rate_from_panel() -> Response:
    data, caller = load_body(PanelFeedbackIn), current_caller()
    session = request_session()
    expectation = expectation_for_issue(session, caller.site_id, None, data.pop("issue_key"))
    if expectation is None:
        raise NotFound("this issue is not an expectation on this site")
    feedback = record_feedback(
        session,
        caller.site_id,
        expectation.id,
        author=caller.account_id,
        source=SOURCE_PANEL,
        **data,
    )
    session.commit()
    return respond(schemas.FeedbackOut, feedback, 201)
