// Live behaviour of pages with ws-connect="/ws/escalations/" (the queue; safe on the context
// screen too): arrivals, per-user touches, claim races, reconnects after daphne's timeout.
// The server sends user-neutral HTML fragments (escalations/broadcast.py) that the htmx ws
// extension swaps out of band; this script adds what differs per person and per tab.
(function () {
  "use strict";

  var CLAIMED_LINGER_MS = 1200;
  var baseTitle = document.title;
  var unseen = 0;
  var arrivals = [];
  var announcer = null;
  // While the list re-fetch is in flight, live events must survive its innerHTML swap.
  var refetching = false;
  var arrivedDuringRefetch = {};
  var goneDuringRefetch = {};

  function list() { return document.getElementById("queue-list"); }
  function cards(root) { return (root || document).querySelectorAll(".queue-card"); }
  function currentUserId() { return document.body.getAttribute("data-user-id") || ""; }

  // A dedicated polite region announces one line per arrival; it must exist before it speaks.
  function ensureAnnouncer() {
    if (announcer) return announcer;
    announcer = document.createElement("div");
    announcer.id = "queue-announcer";
    announcer.className = "visually-hidden";
    announcer.setAttribute("role", "status");
    announcer.setAttribute("aria-live", "polite");
    announcer.setAttribute("aria-atomic", "true");
    announcer.setAttribute("data-testid", "queue-announcer");
    document.body.appendChild(announcer);
    return announcer;
  }

  function announce(text) {
    var region = ensureAnnouncer();
    region.textContent = "";
    // A fresh text node after a tick makes screen readers speak a repeated message too.
    setTimeout(function () { region.textContent = text; }, 50);
  }

  function summaryOf(card) {
    var el = card.querySelector("[data-testid='open-handoff']") || card.querySelector("a[href]") || card.querySelector("h3");
    return (el ? el.textContent : card.textContent).replace(/\s+/g, " ").trim();
  }

  // "You escalated this" replaces Pick Up on your own cards, which never show as unread to you.
  function personalize(card) {
    if (card.getAttribute("data-escalated-by") !== currentUserId() || card.hasAttribute("data-mine")) return;
    card.setAttribute("data-mine", "true");
    card.setAttribute("data-unread", "false");
    var pickUp = card.querySelector("[data-testid='pick-up']");
    var label = document.createElement("span");
    label.className = "own-escalation";
    label.setAttribute("data-testid", "own-escalation");
    label.textContent = "You escalated this";
    if (pickUp) {
      pickUp.hidden = true;
      pickUp.parentNode.insertBefore(label, pickUp);
    } else {
      card.appendChild(label);
    }
  }

  function personalizeAll(root) { cards(root).forEach(personalize); }

  function updateTitle() {
    document.title = unseen > 0 ? "(" + unseen + ") " + baseTitle : baseTitle;
  }

  function clearUnseen() {
    if (unseen === 0) return;
    unseen = 0;
    updateTitle();
  }

  function slideIn(card) {
    card.classList.add("slide-in");
    card.addEventListener("animationend", function () { card.classList.remove("slide-in"); }, { once: true });
  }

  function arrived(card) {
    personalize(card);
    slideIn(card);
    if (card.getAttribute("data-mine") === "true") return;
    announce("New escalation: " + summaryOf(card));
    if (document.hidden) {
      unseen += 1;
      updateTitle();
    }
  }

  // "Claimed by NAME" stays about a second, then the card leaves; focus never falls off the page.
  function markClaimed(card, name) {
    if (card.hasAttribute("data-claimed")) return;
    card.setAttribute("data-claimed", "true");
    card.classList.add("is-claimed");
    if (!card.querySelector("[data-testid='claimed-banner']")) {
      var banner = document.createElement("p");
      banner.className = "queue-card-claimed";
      banner.setAttribute("data-testid", "claimed-banner");
      banner.setAttribute("role", "status");
      banner.textContent = "Claimed by " + name;
      card.appendChild(banner);
    }
    card.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    setTimeout(function () { removeCard(card); }, CLAIMED_LINGER_MS);
  }

  function removeCard(card) {
    if (!card.isConnected) return;
    var hadFocus = card.contains(document.activeElement);
    var next = card.nextElementSibling || card.previousElementSibling;
    card.remove();
    if (hadFocus) {
      var target = next && next.classList.contains("queue-card") ? next : document.getElementById("queue-count");
      if (target) {
        if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
        target.focus();
      }
    }
  }

  function handleClaimedBanners() {
    document.querySelectorAll(".queue-card [data-testid='claimed-banner']").forEach(function (banner) {
      var card = banner.closest(".queue-card");
      markClaimed(card, banner.getAttribute("data-claimed-by") || "");
    });
  }

  function init() {
    var queue = list();
    if (!queue) return;
    ensureAnnouncer();
    // Arrivals are announced once, by the announcer; the list itself speaks only of removals,
    // and a reconnect's full re-render is not read out at all (aria-busy below).
    queue.setAttribute("aria-relevant", "removals");
    personalizeAll(queue);
  }

  // Fragments for another page (e.g. an assessment while on the queue) are dropped quietly
  // instead of raising htmx:oobErrorNoTarget for every one.
  document.addEventListener("htmx:wsBeforeMessage", function (event) {
    var template = document.createElement("template");
    template.innerHTML = event.detail.message;
    var wanted = Array.prototype.some.call(template.content.children, function (el) {
      var oob = el.getAttribute("hx-swap-oob") || "true";
      var selector = oob.indexOf(":") > 0 ? oob.slice(oob.indexOf(":") + 1) : "#" + CSS.escape(el.id);
      return document.querySelector(selector) !== null;
    });
    if (!wanted) event.preventDefault();
  });

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var detail = event.detail;
    var target = detail.target;
    if (!target) return;
    if (target.id !== "queue-list") {
      // A claim banner or a removal: the card must stay gone even if an older re-fetch brings it back.
      if (refetching && target.id.indexOf("handoff-") === 0) goneDuringRefetch[target.id] = true;
      return;
    }
    cards(detail.fragment).forEach(function (card) {
      // A card the reconnect re-fetch already showed must not be inserted twice.
      if (document.getElementById(card.id)) {
        detail.shouldSwap = false;
        return;
      }
      arrivals.push(card.id);
      if (refetching) arrivedDuringRefetch[card.id] = card.cloneNode(true);
    });
  });

  function reconcileAfterRefetch(queue) {
    Object.keys(arrivedDuringRefetch).forEach(function (id) {
      if (!document.getElementById(id) && !goneDuringRefetch[id]) queue.prepend(arrivedDuringRefetch[id]);
    });
    Object.keys(goneDuringRefetch).forEach(function (id) {
      var card = document.getElementById(id);
      if (card && !card.hasAttribute("data-claimed")) card.remove();
    });
    arrivedDuringRefetch = {};
    goneDuringRefetch = {};
  }

  document.addEventListener("htmx:wsAfterMessage", function () {
    var ids = arrivals;
    arrivals = [];
    ids.forEach(function (id) {
      var card = document.getElementById(id);
      if (card) arrived(card);
    });
    handleClaimedBanners();
  });

  // Where focus was inside the list (card id + control), so a re-render can put it back.
  function focusMark() {
    var active = document.activeElement;
    var queue = list();
    if (!active || !queue || !queue.contains(active)) return null;
    var card = active.closest(".queue-card");
    return card ? { card: card.id, control: active === card ? "" : active.getAttribute("data-testid") || "" } : null;
  }

  function restoreFocus(mark) {
    if (!mark || (document.activeElement && document.activeElement !== document.body)) return;
    var card = document.getElementById(mark.card);
    if (!card) return;
    var control = mark.control ? card.querySelector("[data-testid='" + mark.control + "']") : null;
    var target = control && !control.disabled && control.offsetParent !== null ? control : card;
    target.focus({ preventScroll: true });
  }

  // The reconnect backfill replaces the whole list: quiet for screen readers, then personalised;
  // the control that had focus keeps it (the re-fetch runs on every socket open, unasked).
  var refetchFocus = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt !== list()) return;
    refetching = true;
    list().setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.elt === list()) refetchFocus = focusMark();
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.elt !== list()) return;
    reconcileAfterRefetch(list());
    restoreFocus(refetchFocus);
    refetchFocus = null;
  });

  // "Mark read" re-renders its card without the button: focus moves on to the next card
  // (or stays on this one when it is the last), never falls back to the page.
  // htmx re-fires afterRequest on a parent once the button is swapped out, so the card to
  // follow is noted before the request and picked up when its fresh copy loads (htmx:load below).
  var dismissedCard = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.getAttribute && elt.getAttribute("data-testid") === "dismiss") {
      var card = elt.closest(".queue-card");
      dismissedCard = card && card.contains(document.activeElement) ? card.id : null;
    }
  });

  function focusAfterDismiss(card) {
    if (!dismissedCard || card.id !== dismissedCard) return false;
    dismissedCard = null;
    var next = card.nextElementSibling;
    (next && next.classList.contains("queue-card") ? next : card).focus();
    return true;
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    var queue = list();
    if (!queue) return;
    if (event.detail.elt === queue) queue.removeAttribute("aria-busy");
    personalizeAll(queue);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== list()) return;
    refetching = false;
    if (!event.detail.successful) {
      list().removeAttribute("aria-busy");
      arrivedDuringRefetch = {};
      goneDuringRefetch = {};
    }
  });

  // "Show more" replaces itself with older cards: personalise them, and move focus to the first
  // one so a keyboard user continues where the button was instead of at the top of the page.
  var focusAfter = null;
  function isShowMore(elt) { return elt && elt.getAttribute && elt.getAttribute("data-testid") === "show-more"; }
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isShowMore(event.detail.elt)) focusAfter = event.detail.elt.getAttribute("data-after");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    // The new cards settle shortly after; a later re-fetch must not pull focus.
    if (isShowMore(event.detail.elt)) setTimeout(function () { focusAfter = null; }, 1000);
  });
  document.addEventListener("htmx:load", function (event) {
    var card = event.detail.elt;
    if (!card.classList || !card.classList.contains("queue-card")) return;
    personalize(card);
    if (focusAfterDismiss(card)) return;
    var previous = card.previousElementSibling;
    if (focusAfter && previous && previous.id === focusAfter) {
      focusAfter = null;
      card.focus();
    }
  });

  // The loser of a claim race: app.js shows the toast; the card flashes the winner, then leaves.
  // The 409's "toast" event (HX-Trigger JSON) is fired on the Pick Up button and names the winner.
  document.addEventListener("toast", function (event) {
    var winner = event.detail && event.detail.claimed_by;
    var card = event.target && event.target.closest && event.target.closest(".queue-card");
    if (winner && card) markClaimed(card, winner);
  });

  // htmx ws reconnects only after 1006/1011/1012/1013; daphne's --websocket_timeout closes with 1000.
  document.addEventListener("htmx:wsClose", function (event) {
    var code = event.detail.event && event.detail.event.code;
    var socketElt = event.target;
    if (code === 1000) {
      var delay = 1000 + Math.random() * 2000;
      setTimeout(function () {
        // wsOpen on the new socket re-fetches the list, so nothing missed is lost.
        if (socketElt.isConnected) event.detail.socketWrapper.reconnect();
      }, delay);
    } else if (code === 4401 && window.rfToast) {
      window.rfToast("Your sign-in has expired, so live updates stopped. Reload the page to sign in again.", "error");
    }
  });

  document.addEventListener("visibilitychange", function () { if (!document.hidden) clearUnseen(); });
  window.addEventListener("focus", clearUnseen);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
