/* "Write review pack" on each relationship of the team page: the service writes (or rewrites)
   the relationship's review pack page in Confluence for this quarter; the answer's URL is
   offered as a link that leaves the app's frame. icm.js calls ICMReviewPack.button(...). */
(function () {
  "use strict";
  function quarter(now) { return now.getUTCFullYear() + "-Q" + (Math.floor(now.getUTCMonth() / 3) + 1); }

  function button(relationshipId, api, say) {
    var period = quarter(new Date());
    var holder = document.createElement("p");
    holder.className = "review-pack";
    var write = document.createElement("button");
    write.type = "button";
    write.className = "secondary";
    write.name = "review-pack";
    write.textContent = "Write review pack (" + period + ")";
    write.addEventListener("click", function () {
      say("Writing the review pack for " + period + "…");
      api("POST", "/relationships/" + relationshipId + "/review-pack?period=" + period).then(function (pack) {
        var link = document.createElement("a");
        link.href = pack.url;
        link.target = "_top";
        link.textContent = "Open “" + pack.title + "”";
        holder.replaceChildren(write, document.createTextNode(" "), link);
        say("Review pack written: " + pack.title + " (version " + pack.version + ")");
      }, function (e) { say(e.message); });
    });
    holder.appendChild(write);
    return holder;
  }

  /* The admin page's review pack settings: the space, and the quarterly run (off by default). */
  function settings(form, api, say) {
    api("GET", "/settings").then(function (s) {
      form.reviewSpaceKey.value = s.reviewSpaceKey || "";
      form.reviewPacksScheduled.checked = Boolean(s.reviewPacksScheduled);
    }, function (e) { say(e.message); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = { reviewSpaceKey: form.reviewSpaceKey.value.trim() || null, reviewPacksScheduled: form.reviewPacksScheduled.checked };
      api("PUT", "/settings", body).then(function () { say("Review pack settings saved."); }, function (e) { say(e.message); });
    });
  }

  window.ICMReviewPack = { button: button, quarter: quarter, settings: settings };
}());
