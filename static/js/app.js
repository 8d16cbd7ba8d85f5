// Small, page-agnostic behaviour. Feature scripts add their own handlers.
(function () {
  "use strict";

  // Toasts fade out on their own after a while; they stay readable by AT meanwhile.
  function expireToasts(root) {
    root.querySelectorAll(".toast:not([data-expiring])").forEach(function (toast) {
      toast.setAttribute("data-expiring", "1");
      setTimeout(function () { toast.remove(); }, 6000);
    });
  }

  window.rfToast = function (message, kind) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var toast = document.createElement("div");
    toast.className = "toast" + (kind ? " toast-" + kind : "");
    toast.setAttribute("data-testid", "toast");
    toast.textContent = message;
    box.appendChild(toast);
    expireToasts(box);
  };

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("toasts");
    if (box) expireToasts(box);
  });

  // Servers send `HX-Trigger: {"toast": {"message": "...", "kind": "error"}}`.
  document.addEventListener("toast", function (event) {
    window.rfToast(event.detail.message, event.detail.kind);
  });
  // A failed htmx request shows the server's message instead of failing silently. Refusals
  // name themselves with the "toast" event above (HX-Trigger, resolutionflow/htmx.py); other
  // errors fall back to a JSON {"detail"} or a short text body.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (/"toast"\s*:/.test(xhr.getResponseHeader("HX-Trigger") || "")) return;
    var message = null;
    try { message = JSON.parse(xhr.responseText).detail; } catch (e) { message = null; }
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (!message && type.indexOf("text/plain") === 0 && xhr.responseText.length < 500) message = xhr.responseText;
    window.rfToast(message || "Something went wrong (" + xhr.status + "). Your input was kept.", "error");
  });
  document.addEventListener("htmx:sendError", function () {
    window.rfToast("Could not reach the server. Your input was kept; try again.", "error");
  });

  // <form data-confirm="Question?">: a destructive action asks first (Deactivate, Make owner).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // Copy buttons: <button data-copy-target="#id">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy-target"));
    if (!source) return;
    var text = source.value !== undefined ? source.value : source.textContent;
    navigator.clipboard.writeText(text).then(function () { window.rfToast("Copied to clipboard"); });
  });

  // Plain forms whose request waits on the copilot: <form data-progress="message"> with a
  // [data-progress-status] inside. The submit button is disabled and the message announced.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-progress]");
    if (!form || event.defaultPrevented) return;
    var status = form.querySelector("[data-progress-status]");
    if (status) status.textContent = form.getAttribute("data-progress");
    form.setAttribute("aria-busy", "true");
    form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
  });
})();
