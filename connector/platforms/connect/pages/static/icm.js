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

  function api(method, path, body) {
    return token().then(function (t) {
      return fetch(API + path, {
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
    return el("article", { "class": "relationship", "aria-label": other.name }, [
      el("h3", {}, [document.createTextNode(other.name + " · " + rel.service + " "), healthBadge(rel.health)])
    ].concat(items));
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
        .then(function (m) { render(m, refresh, me); }, function (e) { say(e.message); });
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

  document.addEventListener("DOMContentLoaded", function () {
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
  });
}());
