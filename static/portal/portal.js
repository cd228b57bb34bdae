// Small behaviours shared by every page. Loaded from the portal's own static
// files; the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";

  // A choice that settles another, such as the previous assessment a new
  // one starts from settling the version of the standard, sets the field
  // named by data-settles to the value its option names and locks it. A
  // locked field is not sent; the server settles it the same way.
  function settle(select) {
    var settled = document.getElementById(select.getAttribute("data-settles"));
    if (!settled) return;
    var option = select.options[select.selectedIndex];
    var value = option ? option.getAttribute("data-settles-to") : null;
    if (value) settled.value = value;
    settled.disabled = Boolean(value);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]")) {
      target.form.submit();
    }
    if (target.matches && target.matches("select[data-settles]")) {
      settle(target);
    }
  });

  // A form whose action cannot be undone, such as deleting, asks first.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-settles]").forEach(settle);
  });

  // A list that scrolls in a box of its own, such as a row of tabs too wide
  // for the screen, opens with its current entry in the middle rather than
  // cut off at the far end.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-show-current]").forEach(function (box) {
      var current = box.querySelector('[aria-current="page"]');
      if (!current) return;
      if (box.scrollWidth > box.clientWidth) {
        box.scrollLeft =
          current.offsetLeft - box.offsetLeft - (box.clientWidth - current.offsetWidth) / 2;
      }
      if (box.scrollHeight > box.clientHeight) {
        box.scrollTop =
          current.offsetTop - box.offsetTop - (box.clientHeight - current.offsetHeight) / 2;
      }
    });
  });
})();
