(function () {
  "use strict";
  var box = document.getElementById("filter");
  var items = document.querySelectorAll("[data-filter]");
  if (box) {
    box.hidden = false;
    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase();
      for (var i = 0; i < items.length; i++) {
        items[i].hidden = q !== "" && items[i].textContent.toLowerCase().indexOf(q) === -1;
      }
    });
  }
  function reveal() {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target) { return; }
    var holder = target.closest("[data-filter]");
    if (holder && holder.hidden) {
      holder.hidden = false;
      target.scrollIntoView();
    }
    var details = target.closest("details");
    if (details && !details.open) { details.open = true; target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", reveal);
})();
