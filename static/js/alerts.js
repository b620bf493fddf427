// Alert pages: focus the note box when a "Resolve" menu opens, and flash rows and panels that htmx
// replaced so the change is visible. Everything works without it (plain form posts).
(function () {
  "use strict";
  document.addEventListener("shown.bs.dropdown", function (event) {
    var menu = event.target.parentElement && event.target.parentElement.querySelector(".resolve-menu textarea");
    if (menu) { menu.focus(); }
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var swapped = target && target.id ? document.getElementById(target.id) : null;
    var element = swapped || event.detail.elt;
    if (element && element.classList) {
      var flash = element.tagName === "TR" ? "table-success" : "border-success";
      element.classList.add(flash);
      window.setTimeout(function () { element.classList.remove(flash); }, 1500);
    }
  });
})();
