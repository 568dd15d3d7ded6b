/* ventanilla console: keyboard shortcuts, canned responses, live-update courtesy.
   Plain script, no build step; htmx does the fetching. */
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function focus(selector) {
    var el = document.querySelector(selector);
    if (el) { el.focus(); if (el.scrollIntoView) el.scrollIntoView({block: "center"}); }
    return !!el;
  }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr[data-row]")); }

  var selected = null; // the data-row id of the selected conversation in the list

  // A choice that takes effect when made (the language, the inbox's order); the policy of the
  // pages allows no inline handler.
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-submit-on-change]")) {
      event.target.form.submit();
    }
  });

  // A link or token to copy is selected whole when focused.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("input[data-select-on-focus]")) {
      event.target.select();
    }
  });

  // A live panel with a form is not refreshed under the hands of someone filling it in.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var panel = event.detail.elt;
    if (!panel.hasAttribute || !panel.hasAttribute("data-poll-unless-editing")) return;
    var active = document.activeElement;
    if (active && active !== document.body && panel.contains(active) && active.closest("form")) {
      event.preventDefault();
    }
  });

  // Live updates ("every Ns") are not use of the console: an idle session still ends.
  document.addEventListener("htmx:configRequest", function (event) {
    var trigger = event.detail.elt.getAttribute("hx-trigger") || "";
    if (/\bevery\b/.test(trigger)) event.detail.headers["X-Ventanilla-Poll"] = "1";
  });

  function select(delta) {
    var all = rows();
    if (!all.length) return;
    var index = all.findIndex(function (row) { return row.dataset.row === selected; });
    index = index < 0 ? 0 : Math.min(all.length - 1, Math.max(0, index + delta));
    all.forEach(function (row) { row.removeAttribute("aria-selected"); });
    all[index].setAttribute("aria-selected", "true");
    selected = all[index].dataset.row;
    var link = all[index].querySelector("a");
    if (link) link.focus();
  }

  function click(selector) {
    var el = document.querySelector(selector);
    if (el) el.click();
    return !!el;
  }

  var pending = ""; // the first key of a two-key shortcut ("g i")

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.tagName === "TEXTAREA" && target.form) {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    if (event.key === "Escape" && typing(target)) { target.blur(); return; }
    if (typing(target) || event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key;
    if (pending === "g") {
      pending = "";
      var shortcut = document.querySelector('[data-key="g ' + key + '"]');
      if (shortcut) { event.preventDefault(); shortcut.click(); }
      return;
    }
    var done = true;
    switch (key) {
      case "g": pending = "g"; setTimeout(function () { pending = ""; }, 1500); break;
      case "?": var dialog = document.getElementById("shortcuts"); if (dialog) dialog.showModal(); break;
      case "/": done = focus('[data-key="/"]'); break;
      case "j": select(1); break;
      case "k": select(-1); break;
      case "o":
        var row = document.querySelector('tr[aria-selected="true"] a');
        done = !!row; if (row) row.click(); break;
      case "r": done = focus("#reply-text") || focus("#template-name"); break;
      case "c": done = focus("#canned-q"); break;
      case "n": done = focus("#note-text"); break;
      case "a": done = click('[data-key="a"]'); break;
      case "e": done = focus("#resolve-outcome"); break;
      case "u": done = click('[data-key="u"]'); break;
      default: done = false;
    }
    if (done) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-shortcuts]");
    if (opener) { document.getElementById("shortcuts").showModal(); return; }
    var choice = event.target.closest("[data-insert]");
    if (!choice) return;
    var box = document.getElementById("reply-text");
    if (!box) return;
    var text = choice.getAttribute("data-insert");
    var start = box.selectionStart || 0, end = box.selectionEnd || 0;
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    box.focus();
    box.selectionStart = box.selectionEnd = start + text.length;
    var article = document.getElementById("reply-article");
    if (article && choice.hasAttribute("data-article")) article.value = choice.getAttribute("data-article");
    var canned = document.getElementById("canned-results");
    if (canned) canned.innerHTML = "";
    var query = document.getElementById("canned-q");
    if (query) query.value = "";
  });

  /* A live swap must not steal the agent's place: keep the selection, and say what changed. */
  document.addEventListener("htmx:afterSettle", function () {
    var live = document.getElementById("inbox-live");
    if (!live) return;
    if (selected) {
      var row = live.querySelector('tr[data-row="' + selected + '"]');
      if (row) row.setAttribute("aria-selected", "true");
    }
    var note = document.getElementById("live-note");
    if (note && live.dataset.version !== note.dataset.version) {
      if (note.dataset.version) note.textContent = live.dataset.announce || "";
      note.dataset.version = live.dataset.version;
    }
  });
})();
