/* Internal Customer Map pages: call /api/v1 with the page's context token and render the
   practice. Works without Atlassian's all.js; when it has loaded, AP.context.getToken() gives
   fresh tokens. */
(function () {
  "use strict";
  var meta = function (name) { var el = document.querySelector('meta[name="' + name + '"]'); return el ? el.content : ""; };
  var API = meta("icm-api");
  var pageToken = meta("icm-token");
  var LABELS = { healthy: "healthy", at_risk: "at risk", unhealthy: "unhealthy", no_feedback: "no feedback yet" };

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
        if (!response.ok) { throw new Error(explain(data)); }
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
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); } });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }

  function healthBadge(health) {
    var band = health.band;
    var text = LABELS[band] + (health.score === null ? "" : " " + Math.round(health.score * 100) + "%");
    return el("span", { "class": "badge band-" + band, text: text });
  }

  function actions(expectation, side, refresh) {
    var box = el("div", { "class": "row" });
    function button(label, run, secondary) {
      var b = el("button", { type: "button", text: label });
      if (secondary) { b.className = "secondary"; }
      b.addEventListener("click", function () { run().then(function () { say(label + ": done"); refresh(); }, function (e) { say(e.message); }); });
      box.appendChild(b);
    }
    var move = function (to, extra) { return function () { return api("POST", "/expectations/" + expectation.id + "/transitions", Object.assign({ to: to }, extra || {})); }; };
    // Only what the service says this user may do (it still decides: a refusal names the rule).
    var may = (expectation.permissions || {}).transitions || [];
    var can = function (to) { return may.indexOf(to) !== -1; };
    if (expectation.state === "draft" && can("proposed")) { button("Propose", move("proposed")); }
    if (expectation.state === "proposed" && can("agreed")) { button("Agree", move("agreed")); }
    if (expectation.state === "proposed" && can("proposed")) {
      button("Counter-propose", function () {
        var words = window.prompt("Your expectation, in your own words:", expectation.statement);
        return words ? move("proposed", { statement: words })() : Promise.resolve();
      }, true);
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
      : el("span", { "class": "meta", text: expectation.state === "agreed" ? "issue: " + expectation.syncState : "" });
    return el("div", { "class": "expectation" }, [
      el("p", { text: "“" + expectation.statement + "”" }),
      el("p", { "class": "meta" }, [
        el("span", { "class": "badge", text: expectation.state.replace("_", " ") }), document.createTextNode(" "),
        healthBadge(expectation.health), document.createTextNode(ratingsText(expectation.feedbackCount, issue)), issue
      ]),
      actions(expectation, side, refresh)
    ]);
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

  function percent(score) { return Math.round(score * 100) + "%"; }

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
    customers.replaceChildren.apply(customers, map.customers.length ? map.customers.map(function (r) { return relationshipCard(r, "supplier", refresh); }) : [el("p", { "class": "hint", text: "No customers yet: who receives what your team supplies?" })]);
    suppliers.replaceChildren.apply(suppliers, map.suppliers.length ? map.suppliers.map(function (r) { return relationshipCard(r, "customer", refresh); }) : [el("p", { "class": "hint", text: "No suppliers yet." })]);
    var select = document.getElementById("customer");
    select.replaceChildren.apply(select, recordable.map(function (r) { return el("option", { value: r.id, text: r.customer.name + " — " + r.service }); }));
    document.getElementById("record").hidden = !recordable.length;
  }

  function measures(form) {
    return Array.prototype.map.call(form.querySelectorAll(".measure"), function (row) {
      var get = function (n) { return row.querySelector('[name="' + n + '"]').value.trim(); };
      if (!get("measureName")) { return null; }
      return { name: get("measureName"), target: Number(get("measureTarget") || 0), unit: get("measureUnit") || null, direction: get("measureDirection") };
    }).filter(Boolean);
  }

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
      var body = {
        relationshipId: Number(form.relationshipId.value), statement: form.statement.value.trim(),
        whyItMatters: form.whyItMatters.value.trim() || null, growthOpportunity: form.growthOpportunity.value.trim() || null,
        measures: measures(form), cadenceDays: Number(form.cadenceDays.value), priority: form.priority.value
      };
      api("POST", "/expectations", body).then(function (made) {
        return propose ? api("POST", "/expectations/" + made.id + "/transitions", { to: "proposed" }) : made;
      }).then(function () { form.reset(); say(propose ? "Proposed to the customer." : "Saved as a draft."); refresh(); }, function (e) { say(e.message); });
    };
    document.getElementById("add-measure").onclick = function () {
      var rows = form.querySelectorAll(".measure");
      var copy = rows[rows.length - 1].cloneNode(true);
      Array.prototype.forEach.call(copy.querySelectorAll("input"), function (i) { i.value = ""; });
      this.parentNode.insertBefore(copy, this);
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
    api("GET", "/settings").then(function (s) { Object.keys(s).forEach(function (k) { if (form[k]) { form[k].value = s[k]; } }); }, function (e) { say(e.message); });
    form.onsubmit = function (event) {
      event.preventDefault();
      var body = { issueType: form.issueType.value, epicIssueType: form.epicIssueType.value, linkTypeName: form.linkTypeName.value, defaultCadenceDays: Number(form.defaultCadenceDays.value) };
      api("PUT", "/settings", body).then(function () { say("Settings saved."); }, function (e) { say(e.message); });
    };
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
            el("p", { "class": "meta", text: e.supplier + " → " + e.customer }),
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
      download("/expectations.csv" + query(form), name).then(function () { say("Downloaded " + name); }, function (e) { say(e.message); });
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
    b.addEventListener("click", function () { run().then(function () { say(label + ": done"); refresh(); }, function (e) { say(e.message); }); });
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
        var summary = el("p", { text: c.pending + " pending, " + c.failed + " failed, " + c.detached + " detached" });
        fill("ops-sync", el("div", {}, [summary, table(["Expectation", "Sync", "Last error", "Action"], sync)]));
        fill("ops-parked", table(["Event", "Received", "Reason", "Action"], ops.parked.map(function (d) {
          return [d.event, d.receivedAt, d.lastError || "", actionButton("Replay #" + d.id, function () { return call("POST", ROOT + "/webhooks/admin/parked/" + d.id + "/replay"); }, refresh)];
        })));
        fill("ops-jobs", table(["Job", "Last run", "Outcome", "Counts"], ops.jobs.map(function (j) {
          return [j.job, j.startedAt, j.outcome + (j.error ? " (" + j.error + ")" : ""), Object.keys(j.counts).map(function (k) { return k + ": " + j.counts[k]; }).join(", ")];
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
    var followUps = document.getElementById("follow-ups-settings");
    if (followUps) { startFollowUps(followUps); }
  });
}());
