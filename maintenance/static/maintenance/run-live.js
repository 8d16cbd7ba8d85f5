// The run page's live grid: keep keyboard focus on a cell a teammate's tick replaced, and
// re-fetch the grid when the socket opens: on the first open only if something changed since the
// page was rendered (the server answers 204 otherwise), after a reconnect always.
(function () {
  "use strict";
  var opens = 0;
  var focusedId = null;

  document.body.addEventListener("htmx:wsOpen", function (event) {
    var live = event.target.closest("[data-run-live]");
    if (!live) return;
    opens += 1;
    live.setAttribute("data-ws-open", "true");
    var url = live.getAttribute("data-grid-url");
    var grid = document.getElementById("run-grid");
    if (opens === 1 && grid && grid.dataset.renderedAt) {
      url += "?since=" + encodeURIComponent(grid.dataset.renderedAt);
    }
    htmx.ajax("GET", url, { target: "#run-grid", swap: "outerHTML" });
  });

  document.body.addEventListener("htmx:wsClose", function (event) {
    var live = event.target.closest("[data-run-live]");
    if (live) live.setAttribute("data-ws-open", "false");
  });

  // One listener for every cell: a 500 x 20 grid would otherwise carry 10,000 hx-post URLs.
  // Space and Enter on a focused button arrive here as clicks too.
  document.body.addEventListener("click", function (event) {
    var cell = event.target.closest(".run-cell");
    if (!cell || cell.closest("[data-readonly]")) return;
    var live = cell.closest("[data-run-live]");
    var position = cell.id.slice(1).split("-");
    htmx.ajax("POST", live.getAttribute("data-tick-url") + position[0] + "/" + position[1] + "/tick/", {
      source: cell,
      swap: "none",
    });
  });

  document.body.addEventListener("htmx:wsBeforeMessage", function () {
    var active = document.activeElement;
    focusedId = active && active.id ? active.id : null;
  });

  document.body.addEventListener("htmx:wsAfterMessage", function () {
    if (!focusedId) return;
    var now = document.getElementById(focusedId);
    if (now && document.activeElement !== now) now.focus({ preventScroll: true });
    focusedId = null;
  });
})();
