// The command palette: Ctrl/Cmd-K opens the dialog, typing asks /palette/ (htmx, 150 ms debounce),
// arrows move the active option (aria-activedescendant), Enter opens it, Esc closes and focus
// returns to where it was. The modal <dialog> keeps focus inside while open.
(function () {
  "use strict";
  var dialog = document.getElementById("palette");
  if (!dialog) return;
  var input = document.getElementById("palette-input");
  var list = document.getElementById("palette-list");
  var status = document.getElementById("palette-status");
  var opener = null;
  var active = -1;

  function options() { return Array.prototype.slice.call(list.querySelectorAll("[role=option]")); }

  function activate(index) {
    var all = options();
    if (!all.length) { active = -1; input.removeAttribute("aria-activedescendant"); return; }
    active = (index + all.length) % all.length;
    all.forEach(function (el, i) { el.setAttribute("aria-selected", i === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  function open() {
    opener = document.activeElement;
    dialog.showModal();
    input.focus();
    input.select();
    htmx.trigger(input, "palette:open");
  }

  // The header's "Go to…" link opens the palette; without this script it is a link to the session list.
  Array.prototype.forEach.call(document.querySelectorAll("[data-palette-open]"), function (link) {
    if (/Mac|iPhone|iPad/.test(navigator.platform)) {
      var kbd = link.querySelector(".palette-kbd");
      if (kbd) kbd.textContent = "⌘K";
    }
    link.addEventListener("click", function (event) { event.preventDefault(); open(); });
  });

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
      event.preventDefault();
      if (dialog.open) dialog.close(); else open();
    }
  });

  input.addEventListener("keydown", function (event) {
    var all = options();
    if (event.key === "ArrowDown") { event.preventDefault(); activate(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); activate(active - 1); }
    else if (event.key === "Home" && all.length && event.ctrlKey) { event.preventDefault(); activate(0); }
    else if (event.key === "End" && all.length && event.ctrlKey) { event.preventDefault(); activate(all.length - 1); }
    else if (event.key === "Enter") {
      event.preventDefault();
      if (active >= 0 && all[active]) window.location.assign(all[active].href);
    }
  });

  // Each new result list starts on its first option and is announced once.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== list) return;
    var count = options().length;
    activate(0);
    status.textContent = count ? count + (count === 1 ? " result" : " results") : "No results";
  });

  list.addEventListener("mousemove", function (event) {
    var option = event.target.closest("[role=option]");
    if (option) activate(options().indexOf(option));
  });

  // A click on the backdrop (the dialog element itself, outside its box) closes it.
  dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });

  dialog.addEventListener("close", function () {
    if (opener && typeof opener.focus === "function" && document.contains(opener)) opener.focus();
    opener = null;
  });
})();
