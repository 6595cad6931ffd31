/* The sandbox's stand-in for the bridge Forge injects into a Custom UI iframe: what
   @forge/bridge calls as globalThis.__bridge.callBridge(type, payload). Each call is answered by
   the sandbox (POST /_sandbox/forge/bridge/<frame>); Forge answers through its host page. */
(function () {
  "use strict";
  var frame = location.pathname.split("/")[3]; // /forge/cdn/<frame>/index.html
  function ask(type, payload) {
    return fetch("/_sandbox/forge/bridge/" + frame, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ type: type, payload: payload === undefined ? null : payload })
    }).then(function (r) { return r.json(); }).then(function (a) { return a.result; });
  }
  function tell(message) { if (window.parent !== window) { window.parent.postMessage(message, "*"); } }
  function theme(answer) {
    var html = document.documentElement;
    html.setAttribute("data-theme", "dark:dark light:light");
    html.setAttribute("data-color-mode", answer.colorMode);
    if (!document.getElementById("forge-tokens")) {
      var link = document.createElement("link");
      link.id = "forge-tokens"; link.rel = "stylesheet"; link.href = "/forge/tokens.css";
      document.head.insertBefore(link, document.head.firstChild);
    }
  }
  globalThis.__bridge = {
    callBridge: function (type, payload) {
      if (type === "enableTheming") { return ask(type).then(theme); }
      // showFlag: the product shows it on its own page (sandbox/flags.py); closeFlag is a no-op.
      if (type === "showFlag") {
        var p = payload || {};
        tell({ type: "forge-flag", title: String(p.title || ""), body: String(p.description || ""), kind: String(p.appearance || p.type || "info") });
        return Promise.resolve(true);
      }
      if (type === "closeFlag") { return Promise.resolve(true); }
      if (type === "navigate") {
        // The product follows a router.navigate / router.open: tell the host page where to.
        return ask(type, payload).then(function (r) {
          if (r && r.navigated) { tell({ type: "forge-navigate", url: r.url, target: r.type }); }
          return undefined;
        });
      }
      if (type === "submit" || type === "close") {
        return ask(type, payload).then(function (ok) { if (ok) { tell({ type: "forge-" + type }); } return ok; });
      }
      return ask(type, payload);
    }
  };
  function size() { tell({ type: "forge-resize", height: document.documentElement.scrollHeight }); }
  if (window.ResizeObserver) {
    document.addEventListener("DOMContentLoaded", function () { new ResizeObserver(size).observe(document.documentElement); });
  }
}());
