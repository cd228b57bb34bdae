// Small behaviours shared by every page. Loaded from the portal's own static
// files; the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]")) {
      target.form.submit();
    }
  });
})();
