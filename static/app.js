// Progressive enhancement only: every feature works without this file.
// - Facet checkboxes, the sort and the year range update the results in place (and the URL,
//   which stays the whole state: reload or share it and the same page comes back).
// - On narrow screens, a "Filters" button opens the facets.
// - Times are shown in the reader's own time zone.
// - Citation "copy" buttons.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var localTimes = function (root) {
    if (!window.Intl || !Intl.DateTimeFormat) return;
    var lang = document.documentElement.lang || "en";
    var format = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" });
    root.querySelectorAll("time[datetime*='T']").forEach(function (time) {
      var date = new Date(time.getAttribute("datetime"));
      if (!isNaN(date)) {
        time.title = time.textContent;
        time.textContent = format.format(date);
      }
    });
  };
  localTimes(document);

  var form = document.getElementById("search");
  if (form) {
    var pending = null;
    // Which control had the focus, so that it keeps it once the facets are replaced.
    var focusKey = function (element) {
      if (!element || !form.contains(element)) return null;
      if (element.id) return "#" + CSS.escape(element.id);
      if (element.name) {
        return "[name=\"" + CSS.escape(element.name) + "\"]" +
          (element.value ? "[value=\"" + CSS.escape(element.value) + "\"]" : "");
      }
      return null;
    };
    var update = function (url, push, after) {
      if (pending) pending.abort();
      pending = new AbortController();
      var focused = focusKey(document.activeElement);
      // A field being typed in keeps what is typed so far.
      var typing = document.activeElement && document.activeElement.type === "text" ? document.activeElement.value : null;
      fetch(url, { signal: pending.signal, headers: { "Accept": "text/html" } })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          if (!page.getElementById("results")) { window.location = url; return; }
          ["facets", "results"].forEach(function (id) {
            var fresh = page.getElementById(id);
            var current = document.getElementById(id);
            if (fresh && current) {
              if (id === "facets" && current.classList.contains("open")) fresh.classList.add("open");
              current.replaceWith(fresh);
            }
          });
          // Language links and the filters button carry the state too.
          [".langs", ".filters-toggle"].forEach(function (css) {
            var fresh = page.querySelector(css);
            var current = document.querySelector(css);
            if (fresh && current) current.innerHTML = fresh.innerHTML;
          });
          if (push) history.pushState(null, "", url);
          document.title = page.title;
          localTimes(document);
          if (focused) {
            var again = document.querySelector(focused);
            if (again) {
              // The control just changed stays visible, even when its branch would now be closed.
              for (var up = again.parentElement; up; up = up.parentElement) {
                if (up.tagName === "DETAILS") up.open = true;
              }
              if (typing !== null) again.value = typing;
              again.focus({ preventScroll: true });
            }
          }
          if (after) after();
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
    // Chips, pagination and "clear" links keep the page in place too; paging goes to the
    // top of the results.
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest(".chips a, .pagination a, .empty a");
      if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      var paging = !!link.closest(".pagination");
      update(link.getAttribute("href").split("#")[0], true, function () {
        var heading = document.getElementById("results-heading");
        if (paging && heading) {
          document.getElementById("results").scrollIntoView();
          heading.focus({ preventScroll: true });
        }
      });
    });
    window.addEventListener("popstate", function () { update(location.pathname + location.search, false); });

    var toggle = document.querySelector(".filters-toggle");
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var facets = document.getElementById("facets");
        var open = facets.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        if (open) facets.focus && facets.querySelector("input") && facets.querySelector("input").focus();
      });
    }
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

// The desk's document form: fields for the chosen type only, an id proposed from the title,
// a country picker that filters by name.
(function () {
  "use strict";
  document.querySelectorAll("form.document-form").forEach(function (form) {
    var type = form.querySelector("#type");
    var showType = function () {
      form.querySelectorAll("fieldset[data-type]").forEach(function (group) {
        group.hidden = type.value !== "" && group.getAttribute("data-type") !== type.value;
      });
    };
    if (type) { type.addEventListener("change", showType); showType(); }
    var title = form.querySelector("#title");
    var id = form.querySelector("#id");
    if (title && id) {
      var proposed = id.value === "";
      // As the server proposes it: ASCII words joined by hyphens, whole words up to 60 characters.
      var slug = function (text) {
        var words = text.normalize("NFD").replace(/[^\x00-\x7f]/g, "").toLowerCase()
          .split(/[^a-z0-9]+/).filter(function (w) { return w !== ""; });
        var out = "";
        for (var i = 0; i < words.length; i++) {
          if (out !== "" && out.length + words[i].length + 1 > 60) break;
          out += (out === "" ? "" : "-") + words[i];
        }
        return out;
      };
      title.addEventListener("input", function () { if (proposed) id.value = slug(title.value); });
      id.addEventListener("input", function () { proposed = id.value === ""; });
    }
    form.querySelectorAll("input.picker-filter").forEach(function (filter) {
      var select = form.querySelector("#" + filter.getAttribute("data-filters"));
      filter.hidden = false;
      filter.addEventListener("input", function () {
        var words = filter.value.toLowerCase();
        Array.prototype.forEach.call(select.options, function (option) {
          option.hidden = words !== "" && !option.selected && option.textContent.toLowerCase().indexOf(words) < 0;
        });
      });
    });
  });
})();
