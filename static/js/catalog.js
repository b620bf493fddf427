// Catalog filters: keep the pushed URL short and shareable by dropping empty fields
// (q=&category=&... adds nothing) before htmx sends the request.
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (event) {
    var form = document.getElementById("catalog-filters");
    if (!form || event.detail.elt !== form) {
      return;
    }
    var data = event.detail.formData;
    if (!data) {
      return;
    }
    Array.from(data.keys()).forEach(function (name) {
      if (data.getAll(name).every(function (value) { return value === ""; })) {
        data.delete(name);
      }
    });
  });
})();
