// Submits a form as soon as one of its [data-autosubmit] controls changes (brand switcher, catalog filters).
// Forms keep a submit button for keyboards and for browsers without JavaScript.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var control = event.target;
    if (control instanceof HTMLElement && control.hasAttribute("data-autosubmit") && control.form) {
      control.form.requestSubmit ? control.form.requestSubmit() : control.form.submit();
    }
  });
})();
