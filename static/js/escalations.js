// Escalation bits: session-page dialogs (escalate, park, handoff context), suggested-step chips, queue-card keys.
(function () {
  "use strict";
  if (window.rfEscalations) return; // the partials may include this script more than once
  window.rfEscalations = true;

  document.addEventListener("click", function (event) {
    var chip = event.target.closest("[data-fill-input]");
    if (chip) {
      var input = document.querySelector(chip.getAttribute("data-fill-input"));
      if (input) {
        input.value = chip.getAttribute("data-text");
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.focus();
      }
      return;
    }
    var opener = event.target.closest("[data-dialog-open]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-dialog-open"));
      // showModal traps focus and closes on Esc natively.
      if (dialog && !dialog.open) dialog.showModal();
      return;
    }
    var closer = event.target.closest("[data-dialog-close]");
    if (closer) {
      var open = closer.closest("dialog");
      if (open) open.close();
    }
  });

  // Queue cards are focusable as a whole (Tab moves card to card): Enter opens the handoff.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches || !event.target.matches(".queue-card")) return;
    var link = event.target.querySelector("a[href]");
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });

  // "Start here" fades the context screen out over 200 ms, then opens the session;
  // under prefers-reduced-motion the form submits at once.
  var FADE_MS = 200;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-fade-out]") || form.hasAttribute("data-leaving")) return;
    var screen = form.closest(".context-screen");
    if (!screen || window.matchMedia("(prefers-reduced-motion: reduce)").matches) return;
    event.preventDefault();
    form.setAttribute("data-leaving", "true");
    screen.classList.add("is-leaving");
    setTimeout(function () { form.submit(); }, FADE_MS);
  });

  // Focus the first control of the overlay content of the overlay once htmx has filled it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var dialog = event.target.closest && event.target.closest("dialog.context-dialog");
    if (!dialog) return;
    var focusable = dialog.querySelector("[data-dialog-close], a, button");
    if (focusable) focusable.focus();
  });
})();
