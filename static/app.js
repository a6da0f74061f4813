// Progressive enhancement only: every feature works without this file.
// - Facet checkboxes, the sort and the year range update the results in place (and the URL).
// - Citation "copy" buttons.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var form = document.getElementById("search");
  if (form) {
    var pending = null;
    var update = function (url, push) {
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(url, { signal: pending.signal, headers: { "Accept": "text/html" } })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          ["facets", "results"].forEach(function (id) {
            var fresh = page.getElementById(id);
            var current = document.getElementById(id);
            if (fresh && current) current.replaceWith(fresh);
          });
          if (push) history.pushState(null, "", url);
          document.title = page.title;
        })
        .catch(function (error) { if (error.name !== "AbortError") window.location = url; });
    };
    var formUrl = function () {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) {
        if (value !== "") params.append(key, value);
      });
      return "/?" + params.toString();
    };
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target.name === "q") return;
      update(formUrl(), true);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      update(formUrl(), true);
    });
    // Chips, pagination and "clear" links keep the page in place too.
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest(".chips a, .pagination a, .empty a");
      if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      update(link.getAttribute("href"), true);
    });
    window.addEventListener("popstate", function () { update(location.pathname + location.search, false); });
  }

  document.querySelectorAll("button.copy").forEach(function (button) {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      navigator.clipboard.writeText(source.textContent).then(function () {
        button.textContent = button.getAttribute("data-done");
      });
    });
  });
})();
