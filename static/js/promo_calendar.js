/* Promotion calendar: move a DRAFT by dragging its bar sideways (or with the arrow keys when the bar
   has focus). On drop the new dates are POSTed; the server re-checks Amazon's rules and answers with
   the re-rendered calendar, which replaces the old one (conflicts elsewhere may have changed too). */
(function () {
  "use strict";

  var container = document.getElementById("promo-calendar");
  if (!container) return;

  var THRESHOLD_PX = 4; // below this a press is a click (open the promotion), not a drag
  var drag = null;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function grid() {
    return container.querySelector("#calendar-grid");
  }

  function dayWidth() {
    var g = grid();
    var label = g.querySelector(".cal-body .cal-label");
    var days = parseInt(getComputedStyle(g).getPropertyValue("--days"), 10) || 1;
    var width = g.getBoundingClientRect().width - (label ? label.getBoundingClientRect().width : 0);
    return width / days;
  }

  function move(bar, days) {
    if (!days) return;
    var g = grid();
    var body = new FormData();
    body.append("days", String(days));
    ["view", "start", "marketplace", "category", "type", "status"].forEach(function (key) {
      body.append(key, g.dataset[key] || "");
    });
    var id = bar.dataset.promotion;
    g.classList.add("busy");
    fetch(bar.dataset.moveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
    })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        container.innerHTML = html;
        var moved = container.querySelector("#promo-bar-" + id);
        if (moved) moved.focus({ preventScroll: true });
        var result = container.querySelector("#move-result");
        if (result) result.scrollIntoView({ block: "nearest" });
      })
      .catch(function () {
        g.classList.remove("busy");
        bar.style.transform = "";
        window.alert("The move could not be saved: the server did not answer. Try again.");
      });
  }

  container.addEventListener("pointerdown", function (event) {
    var bar = event.target.closest(".cal-bar.draggable");
    if (!bar || event.button !== 0) return;
    drag = { bar: bar, x: event.clientX, width: dayWidth(), shift: 0, moved: false, pointer: event.pointerId };
  });

  container.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.pointer) return;
    var dx = event.clientX - drag.x;
    if (!drag.moved && Math.abs(dx) < THRESHOLD_PX) return;
    if (!drag.moved) {
      drag.moved = true;
      drag.bar.classList.add("dragging");
      drag.bar.setPointerCapture(event.pointerId);
    }
    drag.shift = Math.round(dx / drag.width);
    drag.bar.style.transform = "translateX(" + drag.shift * drag.width + "px)";
    drag.bar.dataset.shift = String(drag.shift);
    drag.bar.setAttribute("aria-label", (drag.shift > 0 ? "+" : "") + drag.shift + " days");
  });

  function endDrag(event) {
    if (!drag || event.pointerId !== drag.pointer) return;
    var current = drag;
    drag = null;
    current.bar.classList.remove("dragging");
    if (!current.moved) return;
    // The click that follows a drag must not open the promotion.
    current.bar.addEventListener(
      "click",
      function (e) {
        e.preventDefault();
      },
      { once: true, capture: true }
    );
    if (current.shift === 0 || event.type === "pointercancel") {
      current.bar.style.transform = "";
      return;
    }
    move(current.bar, current.shift);
  }

  container.addEventListener("pointerup", endDrag);
  container.addEventListener("pointercancel", endDrag);

  container.addEventListener("keydown", function (event) {
    var bar = event.target.closest(".cal-bar.draggable");
    if (!bar) return;
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      event.preventDefault();
      move(bar, event.key === "ArrowLeft" ? -1 : 1);
    }
  });

  // A link's native drag image would fight the pointer drag.
  container.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest(".cal-bar.draggable")) event.preventDefault();
  });
})();
