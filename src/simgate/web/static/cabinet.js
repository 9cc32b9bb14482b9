// simgate cabinet: live rentals over Server-Sent Events, countdowns, copy buttons.
// Loaded from the package (CSP script-src 'self'); no inline script anywhere.
(function () {
  "use strict";

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function showClock(el, seconds) {
    var s = Math.max(0, seconds);
    el.textContent = Math.floor(s / 60) + ":" + pad(s % 60);
  }

  // Each countdown counts from the seconds the server computed when it rendered the element,
  // so the browser's own clock (which may be off) does not matter.
  function startCountdowns(root) {
    root.querySelectorAll("[data-seconds-left]").forEach(function (el) {
      el.dataset.startedAt = String(Date.now());
    });
  }

  function tick() {
    document.querySelectorAll("[data-seconds-left]").forEach(function (el) {
      var started = Number(el.dataset.startedAt || Date.now());
      var left = Number(el.dataset.secondsLeft) - Math.floor((Date.now() - started) / 1000);
      showClock(el, left);
    });
  }

  // The stream names each part of the page it sends by the id of the element it replaces.
  function listen(box) {
    var source = new EventSource(box.dataset.live);
    box.dataset.liveParts.split(" ").forEach(function (id) {
      source.addEventListener(id, function (event) {
        var target = document.getElementById(id);
        if (!target) { return; }
        target.innerHTML = event.data;
        startCountdowns(target);
        if (window.htmx) { window.htmx.process(target); }
      });
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button || !navigator.clipboard) { return; }
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      button.classList.add("copied");
    });
  });

  document.addEventListener("htmx:afterSwap", function (event) { startCountdowns(event.target); });

  document.addEventListener("DOMContentLoaded", function () {
    startCountdowns(document);
    document.querySelectorAll("[data-live]").forEach(listen);
    window.setInterval(tick, 1000);
  });
})();
