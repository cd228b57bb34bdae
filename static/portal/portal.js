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

  // A form whose action cannot be undone, such as deleting, asks first.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // A row of tabs too wide for the screen scrolls sideways; open it with the
  // current tab in the middle rather than cut off at the far end.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".tabs").forEach(function (tabs) {
      var current = tabs.querySelector('[aria-current="page"]');
      if (current && tabs.scrollWidth > tabs.clientWidth) {
        tabs.scrollLeft =
          current.offsetLeft - tabs.offsetLeft - (tabs.clientWidth - current.offsetWidth) / 2;
      }
    });
  });
})();
