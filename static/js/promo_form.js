/* Promotion form: add item rows, and show the coupon or the deal fields for the chosen type.
   The rule panel re-checks through htmx on every change (see the form's hx-* attributes). */
(function () {
  "use strict";

  var form = document.getElementById("promotion-form");
  if (!form) return;
  var typeSelect = form.querySelector("[name=promotion_type]");
  var rows = document.getElementById("item-rows");
  var template = document.getElementById("item-row-template");
  var total = form.querySelector("[name=items-TOTAL_FORMS]");

  function showFieldsForType() {
    form.classList.toggle("is-coupon", typeSelect && typeSelect.value === "COUPON");
  }

  document.getElementById("add-item").addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var asin = rows.lastElementChild.querySelector("input");
    if (asin) asin.focus();
  });

  if (typeSelect) typeSelect.addEventListener("change", showFieldsForType);
  showFieldsForType();
})();
