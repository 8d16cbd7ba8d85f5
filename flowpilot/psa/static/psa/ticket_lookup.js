// Fill the new-session form from a ConnectWise ticket the lookup found.
(function () {
  "use strict";
  if (window.rfPsaLookup) return;
  window.rfPsaLookup = true;

  function fill(id, value) {
    var input = document.getElementById(id);
    if (!input || !value) return;
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "psa-lookup-result") return;
    var found = event.detail.target.querySelector("[data-psa-ticket]");
    if (!found) return;
    fill("id_problem_summary", found.dataset.summary);
    fill("id_client_name", found.dataset.client);
    fill("id_ticket_ref", found.dataset.ticket);
    var summary = document.getElementById("id_problem_summary");
    if (summary) summary.focus();
  });
})();
