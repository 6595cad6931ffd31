/* Internal Customer Map pages: call /api/v1 with the page's context token and render the
   practice. Works without Atlassian's all.js; when it has loaded, AP.context.getToken() gives
   fresh tokens. */
(function () {
  "use strict";
  var meta = function (name) { var el = document.querySelector('meta[name="' + name + '"]'); return el ? el.content : ""; };
  var API = meta("icm-api");
  var pageToken = meta("icm-token");

  function token() {
    return new Promise(function (resolve) {
      if (window.AP && AP.context && typeof AP.context.getToken === "function") {
        var done = false;
        setTimeout(function () { if (!done) { done = true; resolve(pageToken); } }, 1500);
        AP.context.getToken(function (t) { if (!done) { done = true; resolve(t || pageToken); } });
      } else { resolve(pageToken); }
    });
  }

  var ROOT = API.replace(/\/api\/v1$/, "");
  // Where an agreed expectation's Jira issue is, in words (the API's syncState).
  var SYNC_WORDS = {
    pending: "Jira issue on its way", synced: "", failed: "Jira issue could not be made (the admin page says why)",
    detached: "its Jira issue was deleted: an administrator can reattach it"
  };

  function api(method, path, body) { return call(method, API + path, body); }

  function download(path, filename) {
    return token().then(function (t) {
      return fetch(API + path, { headers: { "Authorization": "JWT " + t } });
    }).then(function (response) {
      if (!response.ok) { return response.json().then(function (data) { throw new Error(explain(data)); }); }
      return response.blob();
    }).then(function (blob) {
      var link = el("a", { href: URL.createObjectURL(blob), download: filename });
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    });
  }

  function call(method, url, body) {
    return token().then(function (t) {
      return fetch(url, {
        method: method,
        headers: { "Authorization": "JWT " + t, "Content-Type": "application/json", "Accept": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body)
      });
    }).then(function (response) {
      if (response.status === 204) { return null; }
      return response.json().then(function (data) {
        if (!response.ok) { throw Object.assign(new Error(explain(data)), (data && data.error) || {}, { message: explain(data) }); }
        return data;
      });
    });
  }

  function explain(data) {
    var error = (data && data.error) || {};
    var details = Object.keys(error.details || {}).map(function (k) { return k + ": " + JSON.stringify(error.details[k]); });
    return (error.message || "Something went wrong") + (details.length ? " (" + details.join("; ") + ")" : "");
  }

  function say(text) { document.getElementById("status").textContent = text; }
  // A flag where the user looks (ui/flags.js: AP.flag, else in the page), and the status line.
  function flag(title, body, kind) {
    say(title);
    if (window.ICMUI) { ICMUI.flag(title, body || "", kind || "success"); }
  }
  function failed(e) { flag(e.message, "", "error"); }
  var UI = function () { return window.ICMUI || {}; };
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); } });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }

  // The service words every health the same way on every page (connector/domain/health.py):
  // `label` to show, `explanation` on hover (title) and on keyboard focus (icm.css).
  function healthBadge(health) {
    return el("span", { "class": "badge health band-" + health.band, tabindex: "0", title: health.explanation, text: health.label });
  }

  function actions(expectation, side, refresh) {
    var box = el("div", { "class": "row" });
    // One primary button per expectation (the move the viewer is asked for), the rest subtle.
    function button(label, run, kind, answer) {
      var b = el("button", { type: "button", text: label });
      if (kind) { b.className = kind; }
      b.addEventListener("click", function () {
        run().then(function (done) {
          if (done === false) { return; }
          flag(answer[0], answer[1]); refresh();
        }, failed);
      });
      box.appendChild(b);
    }
    var move = function (to, extra) { return function () { return api("POST", "/expectations/" + expectation.id + "/transitions", Object.assign({ to: to }, extra || {})); }; };
    // Only what the service says this user may do (it still decides: a refusal names the rule).
    var may = (expectation.permissions || {}).transitions || [];
    var can = function (to) { return may.indexOf(to) !== -1; };
    if (expectation.state === "draft" && can("proposed")) { button("Propose", move("proposed"), null, ["Proposed to the customer.", "They answer on their team page."]); }
    if (expectation.state === "proposed" && can("agreed")) { button("Agree", move("agreed"), null, ["Agreed. The Jira issue appears in a few seconds.", ""]); }
    if (expectation.state === "proposed" && can("proposed")) {
      button("Counter-propose", function () {
        return UI().askWords({ title: "Counter-propose", label: "Your expectation, in your own words", value: expectation.statement, submit: "Send the counter-proposal" })
          .then(function (words) { return words ? move("proposed", { statement: words })() : false; });
      }, "secondary", ["Counter-proposal sent.", "The supplier sees your words on its team page."]);
    }
    if (expectation.state !== "retired" && can("retired")) {
      button("Retire", function () {
        return UI().confirmDanger({ title: "Retire this expectation?", body: "“" + expectation.statement + "” stops being asked for feedback and leaves the map. This cannot be undone.", confirm: "Retire" })
          .then(function (yes) { return yes ? api("DELETE", "/expectations/" + expectation.id) : false; });
      }, "danger", ["Retired.", "It no longer shows on the map."]);
    }
    return box;
  }

  function ratingsText(count, issue) {
    var text = " " + count + (count === 1 ? " rating" : " ratings");
    return issue.textContent ? text + " · " : text;
  }

  function expectationItem(expectation, side, refresh) {
    var issue = expectation.jiraIssueKey
      ? el("a", { href: meta("icm-product") + "/browse/" + expectation.jiraIssueKey, target: "_top", text: expectation.jiraIssueKey })
      : el("span", { "class": "meta", text: expectation.state === "agreed" ? SYNC_WORDS[expectation.syncState] || "" : "" });
    return el("div", { "class": "expectation", "data-expectation": String(expectation.id) }, [
      el("p", { text: "“" + expectation.statement + "”" }),
      el("p", { "class": "meta" }, [
        el("span", { "class": "badge", text: expectation.state.replace("_", " ") }), document.createTextNode(" "),
        healthBadge(expectation.health), document.createTextNode(ratingsText(expectation.feedbackCount, issue)), issue
      ]),
      measuresOf(expectation, refresh),
      actions(expectation, side, refresh)
    ]);
  }

  // The measures, their values over time and their forms: static/measures.js (a module).
  function measuresOf(expectation, refresh) {
    var shown = window.icmMeasures;
    return shown ? shown.measuresSection(expectation, { api: api, say: say, refresh: refresh }) : null;
  }

  function relationshipCard(rel, side, refresh) {
    var other = side === "supplier" ? rel.customer : rel.supplier;
    var items = rel.expectations.map(function (e) { return expectationItem(e, side, refresh); });
    if (!items.length) { items = [el("p", { "class": "hint", text: "No expectations recorded yet." })]; }
    return el("article", { "class": "relationship", "aria-label": other.name, "data-relationship": String(rel.id) }, [
      el("h3", {}, [document.createTextNode(other.name + " · " + rel.service + " "), healthBadge(rel.health)])
    ].concat(items, [window.ICMReviewPack ? ICMReviewPack.button(rel.id, api, say) : null]));
  }

  var SVG = "http://www.w3.org/2000/svg";

  // As connector.domain.health.percent: cut, not rounded, so that 69.9% never reads as 70%.
  function percent(score) { return Math.floor(score * 100 + 1e-9) + "%"; }

  function sparkline(values, days) {
    var scored = values.filter(function (v) { return v.score !== null; });
    var label = scored.length
      ? "Health over the last " + days + " days: " + scored.length + " daily snapshots, from " + percent(scored[0].score) + " to " + percent(scored[scored.length - 1].score)
      : "Health over the last " + days + " days: no snapshots yet";
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + days + " 20");
    svg.setAttribute("width", "90");
    svg.setAttribute("height", "20");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label);
    svg.setAttribute("class", "sparkline");
    var title = document.createElementNS(SVG, "title");
    title.textContent = label;
    svg.appendChild(title);
    var today = Date.now();
    var points = scored.map(function (v) {
      var age = Math.round((today - Date.parse(v.day + "T00:00:00Z")) / 86400000);
      return Math.max(0, days - age) + "," + (1 + (1 - v.score) * 18).toFixed(1);
    });
    if (points.length) {
      var line = document.createElementNS(SVG, "polyline");
      line.setAttribute("points", points.length === 1 ? points[0] + " " + points[0] : points.join(" "));
      line.setAttribute("fill", "none");
      line.setAttribute("stroke", "currentColor");
      line.setAttribute("stroke-width", "1.5");
      svg.appendChild(line);
    }
    return svg;
  }

  function addSparklines(key) {
    return api("GET", "/teams/" + encodeURIComponent(key) + "/health-history").then(function (history) {
      history.relationships.forEach(function (r) {
        Array.prototype.forEach.call(document.querySelectorAll('article[data-relationship="' + r.relationshipId + '"] h3'), function (h) {
          h.appendChild(document.createTextNode(" "));
          h.appendChild(sparkline(r.values, history.days));
        });
      });
    }, function (e) { say(e.message); });
  }

    function render(map, refresh, me) {
    // Recording is for the supplier side: the form shows only when this user is on the team.
    var onTeam = ((me && me.teams) || []).some(function (t) { return t.key === map.team.key; });
    var recordable = onTeam ? map.customers : [];
    var customers = document.getElementById("customers");
    var suppliers = document.getElementById("suppliers");
    var manage = Boolean(me && (me.siteAdmin || (me.teams || []).some(function (t) { return t.key === map.team.key && t.role === "lead"; })));
    customers.replaceChildren.apply(customers, map.customers.length ? map.customers.map(function (r) { return relationshipCard(r, "supplier", refresh); }) : emptySide(map, "customer", manage, me, refresh));
    suppliers.replaceChildren.apply(suppliers, map.suppliers.length ? map.suppliers.map(function (r) { return relationshipCard(r, "customer", refresh); }) : emptySide(map, "supplier", manage, me, refresh));
    var select = document.getElementById("customer");
    select.replaceChildren.apply(select, recordable.map(function (r) { return el("option", { value: r.id, text: r.customer.name + " — " + r.service }); }));
    taskFirst(map, recordable.length > 0);
  }

  // An empty list says what to do next, with the button that does it (ui/setup.js).
  function emptySide(map, side, manage, me, refresh) {
    var hint = el("p", { "class": "hint", text: side === "customer" ? "No customers yet." : "No suppliers yet." });
    if (!UI().emptySide) { return [hint]; }
    return UI().emptySide({ api: api, flag: flag, team: map.team, side: side, manage: manage, mayCreate: Boolean(me && me.siteAdmin), done: refresh });
  }

  // The top of the team page: what waits for the viewer, then "Record an expectation", which
  // opens the guided form (#record) right below it. The form's steps are the <li>s of its
  // ol.steps (practice.html): a step added there (follow-up questions, say) opens with the rest.
  function taskFirst(map, recordable) {
    var top = document.getElementById("task-first");
    var form = document.getElementById("record");
    if (!top || !UI().waitingSummary) { form.hidden = !recordable; return; }
    var section = document.getElementById("team");
    var search = section.querySelector("#search");
    if (search && (search.compareDocumentPosition(top) & Node.DOCUMENT_POSITION_FOLLOWING)) { search.insertAdjacentElement("beforebegin", top); }
    var parts = [UI().waitingSummary(map, function (id) { UI().showExpectation(section, id); })];
    if (recordable) {
      var opener = el("button", { type: "button", id: "open-record", "aria-controls": "record", "aria-expanded": String(!form.hidden), text: "Record an expectation" });
      opener.addEventListener("click", function () { openRecord(true); });
      parts.push(el("div", { "class": "row" }, [opener]));
    } else { form.hidden = true; }
    var focused = document.activeElement && document.activeElement.id === "open-record";
    top.replaceChildren.apply(top, parts);
    if (focused && document.getElementById("open-record")) { document.getElementById("open-record").focus(); }
  }

  function openRecord(open) {
    var form = document.getElementById("record");
    var opener = document.getElementById("open-record");
    var top = document.getElementById("task-first");
    if (open && top && form.previousElementSibling !== top) { top.insertAdjacentElement("afterend", form); }
    form.hidden = !open;
    if (opener) { opener.setAttribute("aria-expanded", String(open)); }
    if (open) { form.querySelector("select, textarea, input").focus(); } else if (opener) { opener.focus(); }
  }

  // The measures (ui/measures.js: each needs its target; null, with errors shown, when one lacks it).
  function measures(form) { return UI().readMeasures(form); }

  function startTeam(section) {
    var key = section.getAttribute("data-team");
    var me = null;
    var refresh = function () {
      var who = me ? Promise.resolve(me) : api("GET", "/me").then(function (m) { me = m; return m; }, function () { return null; });
      return who.then(function () { return api("GET", "/teams/" + encodeURIComponent(key) + "/map"); })
        .then(function (m) { render(m, refresh, me); return addSparklines(key); }, function (e) { say(e.message); });
    };
    var form = document.getElementById("record");
    form.onsubmit = function (event) {
      event.preventDefault();
      var propose = event.submitter && event.submitter.value === "propose";
      var typed = measures(form);
      if (typed === null) { UI().focusFirstError(form); return; }
      var body = {
        relationshipId: Number(form.relationshipId.value), statement: form.statement.value.trim(),
        whyItMatters: form.whyItMatters.value.trim() || null, growthOpportunity: form.growthOpportunity.value.trim() || null,
        measures: typed, cadenceDays: Number(form.cadenceDays.value), priority: form.priority.value
      };
      api("POST", "/expectations", body).then(function (made) {
        return propose ? api("POST", "/expectations/" + made.id + "/transitions", { to: "proposed" }) : made;
      }).then(function () {
        form.reset();
        Array.prototype.slice.call(form.querySelectorAll(".measure"), 1).forEach(function (row) { row.remove(); });
        UI().measureSources(form);
        UI().removableMeasures(form, document.getElementById("add-measure"));
        openRecord(false);
        flag(propose ? "Proposed to the customer." : "Saved as a draft.", propose ? "They answer on their team page." : "Propose it when it is ready.");
        refresh();
      }, function (e) {
        var rest = UI().showFieldErrors(e, { statement: form.statement, whyItMatters: form.whyItMatters, growthOpportunity: form.growthOpportunity, cadenceDays: form.cadenceDays, relationshipId: form.relationshipId });
        // A measure's error (Jira refusing its JQL, say) goes next to that measure's field.
        if (UI().showMeasureErrors(form, e)) { UI().focusFirstError(form); say("Not saved: see the message next to the measure."); rest = null; }
        if (rest) { failed(e); }
      });
    };
    if (UI().measureSources) { UI().measureSources(form); }
    document.getElementById("add-measure").onclick = function () {
      var rows = form.querySelectorAll(".measure");
      var copy = rows[rows.length - 1].cloneNode(true);
      Array.prototype.forEach.call(copy.querySelectorAll("input"), function (i) { i.value = ""; });
      // The copy's remove button, "Measured by" and query go: measureSources adds fresh ones.
      Array.prototype.forEach.call(copy.querySelectorAll(".icm-remove-measure, .icm-measure-how, .icm-measure-query"), function (n) { n.remove(); });
      Array.prototype.forEach.call(copy.querySelectorAll(".icm-error"), function (n) { n.remove(); });
      Array.prototype.forEach.call(copy.querySelectorAll("input, select"), function (n) { n.removeAttribute("aria-invalid"); n.removeAttribute("aria-describedby"); n.removeAttribute("id"); });
      this.parentNode.insertBefore(copy, this);
      UI().measureSources(form);
      UI().removableMeasures(form, this);
      copy.querySelector("input").focus();
    };
    refresh();
  }

  function startSettings(form) {
    api("GET", "/me").then(function (me) {
      if (!me.siteAdmin) {
        Array.prototype.forEach.call(form.querySelectorAll("input, select, button"), function (f) { f.disabled = true; });
        say("Only a Jira administrator may change these settings.");
      }
    }, function () {});
    // Jira's own issue types and link types as pick-lists (GET /settings/choices), then the values.
    var choices = api("GET", "/settings/choices").catch(function (e) { say("Jira's issue types could not be read: " + e.message); return null; });
    Promise.all([choices, api("GET", "/settings")]).then(function (both) {
      var c = both[0], s = both[1];
      if (c) {
        pickList(form.issueType, c.issueTypes, s.issueType);
        pickList(form.epicIssueType, c.epicIssueTypes, s.epicIssueType);
        pickList(form.linkTypeName, c.linkTypeNames, s.linkTypeName);
      }
      Object.keys(s).forEach(function (k) { if (form[k]) { form[k].value = s[k]; } });
    }, function (e) { say(e.message); });
    form.onsubmit = function (event) {
      event.preventDefault();
      var body = { issueType: form.issueType.value, epicIssueType: form.epicIssueType.value, linkTypeName: form.linkTypeName.value, defaultCadenceDays: Number(form.defaultCadenceDays.value) };
      Array.prototype.forEach.call(form.querySelectorAll(".icm-error"), function (n) { n.remove(); });
      api("PUT", "/settings", body).then(function () { flag("Settings saved.", "The next sync uses them."); }, function (e) {
        var rest = UI().showFieldErrors(e, { issueType: form.issueType, epicIssueType: form.epicIssueType, linkTypeName: form.linkTypeName, defaultCadenceDays: form.defaultCadenceDays });
        if (rest) { failed(e); }
      });
    };
  }

  // Replace a text field by a select of `names` (same id and name), the stored `value` among them.
  function pickList(input, names, value) {
    var select = el("select", { id: input.id, name: input.name, required: "" });
    names.concat(names.indexOf(value) === -1 && value ? [value] : []).forEach(function (n) { select.appendChild(el("option", { value: n, text: n })); });
    select.value = value;
    select.disabled = input.disabled;
    input.replaceWith(select);
  }

  // The follow-up questions (GET/PUT /settings `followUps`): one input per field, empty = not asked.
  var FOLLOW_UP_FIELDS = ["whyItMatters", "measures", "growthOpportunity", "cadenceDays"];

  function startFollowUps(form) {
    var show = function (s) {
      FOLLOW_UP_FIELDS.forEach(function (f) {
        var asked = s.followUps.filter(function (q) { return q.field === f; })[0];
        form[f].value = asked ? asked.question : "";
      });
    };
    var save = function (followUps) {
      api("PUT", "/settings", { followUps: followUps }).then(function (s) { show(s); say("Follow-up questions saved."); }, function (e) { say(e.message); });
    };
    api("GET", "/settings").then(show, function (e) { say(e.message); });
    form.onsubmit = function (event) {
      event.preventDefault();
      save(FOLLOW_UP_FIELDS.map(function (f) { return { field: f, question: form[f].value.trim() }; }).filter(function (q) { return q.question; }));
    };
    document.getElementById("follow-ups-default").onclick = function () { save(null); };
  }

  function query(form) {
    var parts = [];
    if (form.getAttribute("data-team")) { parts.push("team=" + encodeURIComponent(form.getAttribute("data-team"))); }
    if (form.q.value.trim()) { parts.push("q=" + encodeURIComponent(form.q.value.trim())); }
    return parts.length ? "?" + parts.join("&") : "";
  }

  function startSearch(form) {
    var results = document.getElementById("results");
    form.onsubmit = function (event) {
      event.preventDefault();
      if (!form.q.value.trim()) { results.hidden = true; return; }
      api("GET", "/expectations" + query(form) + "&limit=50").then(function (page) {
        var items = page.values.map(function (e) {
          return el("div", { "class": "expectation" }, [
            el("p", { "class": "meta", text: e.supplierName + " supplies " + e.customerName }),
            expectationItem(e, null, function () {})
          ]);
        });
        var heading = el("h2", { text: page.values.length ? "Found " + page.values.length + (page.nextCursor ? "+" : "") + " expectation(s)" : "Nothing found for “" + form.q.value.trim() + "”" });
        results.replaceChildren.apply(results, [heading].concat(items));
        results.hidden = false;
      }, function (e) { say(e.message); });
    };
    document.getElementById("download").onclick = function () {
      var name = (form.getAttribute("data-team") || "all") + "-expectations.csv";
      download("/expectations.csv" + query(form), name).then(function () { flag("Downloaded " + name, "Your browser keeps it with your downloads."); }, failed);
    };
  }

  function table(headings, rows) {
    if (!rows.length) { return el("p", { "class": "hint", text: "None." }); }
    return el("table", {}, [
      el("thead", {}, [el("tr", {}, headings.map(function (h) { return el("th", { scope: "col", text: h }); }))]),
      el("tbody", {}, rows.map(function (cells) {
        return el("tr", {}, cells.map(function (c) { return el("td", {}, [typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c]); }));
      }))
    ]);
  }

  function actionButton(label, run, refresh) {
    var b = el("button", { type: "button", "class": "secondary", text: label });
    b.addEventListener("click", function () { run().then(function () { flag(label + ": done", "The list below shows where it stands."); refresh(); }, failed); });
    return b;
  }

  function startOperations(section) {
    var fill = function (id, node) { var box = document.getElementById(id); box.replaceChildren(node); };
    var refresh = function () {
      api("GET", "/operations").then(function (ops) {
        var c = ops.sync.counts;
        var sync = ops.sync.values.map(function (e) {
          var path = "/expectations/" + e.id + (e.action === "reattach" ? "/reattach" : "/sync");
          var label = (e.action === "reattach" ? "Reattach" : "Retry") + " #" + e.id;
          return [e.supplier + " → " + e.customer + ": " + e.statement, e.syncState, e.syncError || "", actionButton(label, function () { return api("POST", path); }, refresh)];
        });
        var summary = el("p", { text: c.pending + " waiting to reach Jira, " + c.failed + " failed, " + c.detached + " whose Jira issue was deleted (Reattach makes a new one)" });
        fill("ops-sync", el("div", {}, [summary, table(["Expectation", "Sync", "Last error", "Action"], sync)]));
        fill("ops-parked", table(["Event", "Received", "Reason", "Action"], ops.parked.map(function (d) {
          return [d.event, d.receivedAt, d.lastError || "", actionButton("Replay #" + d.id, function () { return call("POST", ROOT + "/webhooks/admin/parked/" + d.id + "/replay"); }, refresh)];
        })));
        fill("ops-jobs", table(["Job", "Last run", "Outcome", "Counts"], ops.jobs.map(function (j) {
          return [j.job, j.startedAt, j.outcome + (j.error ? " (" + j.error + ")" : ""), Object.keys(j.counts).map(function (k) { return k + ": " + j.counts[k]; }).join(", ")];
        })));
        fill("ops-measures", table(["Expectation", "Measure", "JQL", "Jira said"], (ops.measures || []).map(function (m) {
          return [m.statement, m.name, m.jql || "", m.countError];
        })));
        fill("ops-installations", table(["Product", "Platform", "State", "Token"], ops.installations.map(function (i) {
          var t = i.token ? (i.token.fresh ? "fresh until " + i.token.expiresAt : "stale" + (i.token.expiresAt ? " since " + i.token.expiresAt : "")) : "signed per request (Connect)";
          return [i.product, i.platform, i.state, t];
        })));
        fill("ops-review-packs", table(["Review pack", "Attempts", "Last error", "Action"], (ops.reviewPacks || []).map(function (r) {
          return [r.title, r.attempts, r.error || "", actionButton("Retry pack #" + r.id, function () { return call("POST", ROOT + r.retry); }, refresh)];
        })));
      }, function (e) { say(e.message); });
    };
    document.getElementById("operations-refresh").onclick = refresh;
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Follow the product's theme when all.js offers it (it sets data-color-mode on <html>).
    if (window.AP && AP.theming && typeof AP.theming.initializeTheming === "function") { AP.theming.initializeTheming(); }
    var search = document.getElementById("search");
    if (search) { startSearch(search); }
    var operations = document.getElementById("operations");
    if (operations) { startOperations(operations); }
    var team = document.getElementById("team");
    var picker = document.getElementById("pick-team");
    if (picker) {
      picker.onsubmit = function (event) {
        event.preventDefault();
        team.setAttribute("data-team", picker.team.value);
        team.hidden = false;
        startTeam(team);
      };
    } else if (team) { startTeam(team); }
    var settings = document.getElementById("settings");
    if (settings) { startSettings(settings); }
    var reviewSettings = document.getElementById("review-settings");
    if (reviewSettings && window.ICMReviewPack) { ICMReviewPack.settings(reviewSettings, api, say); }
    // A project (or a site) without a team: set it up (ui/setup.js), then show the team page.
    var setup = document.getElementById("setup");
    if (setup && UI().setupTeam) {
      api("GET", "/me").then(function (me) {
        return UI().setupTeam(setup, { api: api, flag: flag, project: setup.getAttribute("data-project"), me: me, done: function () { if (window.AP && AP.navigator && typeof AP.navigator.reload === "function") { AP.navigator.reload(); } else { location.reload(); } } });
      }).catch(failed);
    }
    var followUps = document.getElementById("follow-ups-settings");
    if (followUps) { startFollowUps(followUps); }
  });
}());
