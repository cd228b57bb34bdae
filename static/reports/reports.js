// Report state that follows itself: each [data-report-state] block asks the
// JSON status endpoint while the report may still come (phases pending,
// stalled and retrying) and updates its fields, its badge and the parts
// shown in each phase (reports.selectors.Phase). Loaded from the portal's
// own static files; the Content-Security-Policy forbids inline scripts.
// Without this script the status page refreshes itself (<noscript>).
(function () {
  "use strict";

  var FIRST_DELAY = 1500;
  var MAX_DELAY = 10000;
  // Stop asking after this long; the page still shows the last state.
  var GIVE_UP_AFTER = 15 * 60 * 1000;

  function show(root, state) {
    root.dataset.reportPhase = state.phase;
    root.querySelectorAll("[data-report-field]").forEach(function (node) {
      var value = state[node.dataset.reportField];
      node.textContent = value === null || value === undefined ? "" : value;
    });
    root.querySelectorAll("[data-report-badge]").forEach(function (node) {
      node.className = "badge badge--report-" + state.phase;
    });
    root.querySelectorAll("[data-report-when]").forEach(function (node) {
      node.hidden = node.dataset.reportWhen.split(" ").indexOf(state.phase) === -1;
    });
    root.querySelectorAll("[data-report-download]").forEach(function (node) {
      if (state.download_url) {
        node.href = state.download_url;
      }
    });
  }

  function follow(root) {
    // The panel may bring this script onto a page that loads it already.
    if (root.dataset.reportFollowed) {
      return;
    }
    root.dataset.reportFollowed = "true";
    var url = root.dataset.reportState;
    var started = Date.now();
    var delay = FIRST_DELAY;

    function ask() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (state) {
          show(root, state);
          if (state.pending && Date.now() - started < GIVE_UP_AFTER) {
            delay = Math.min(delay * 1.5, MAX_DELAY);
            window.setTimeout(ask, delay);
          }
        })
        .catch(function () {
          if (Date.now() - started < GIVE_UP_AFTER) {
            window.setTimeout(ask, MAX_DELAY);
          }
        });
    }

    if (root.dataset.reportPending === "true") {
      window.setTimeout(ask, delay);
    }
  }

  // A panel that leaves to this script whether its latest report shows the
  // assessment as it stands asks once, and then shows the line that says
  // so; a report of an earlier state gives its place to the request of a
  // report of the current one.
  function compare(panel) {
    if (panel.dataset.reportCompared) {
      return;
    }
    panel.dataset.reportCompared = "true";
    fetch(panel.dataset.reportCompare, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (state) {
        var which = state.earlier ? "earlier" : "current";
        panel.querySelectorAll("[data-report-compare-when]").forEach(function (node) {
          node.hidden = node.dataset.reportCompareWhen !== which;
        });
        if (state.earlier) {
          panel.querySelectorAll("[data-report-compare-main]").forEach(function (node) {
            node.classList.remove("button--secondary");
          });
          panel.querySelectorAll("[data-report-download]").forEach(function (node) {
            node.classList.add("button--secondary");
          });
        }
      })
      .catch(function () {});
  }

  document.querySelectorAll("[data-report-state]").forEach(follow);
  document.querySelectorAll("[data-report-compare]").forEach(compare);
})();
