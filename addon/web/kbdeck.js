/* kbdeck add-on: the only script of its pages (deck-list panel, progress view, note viewer, update summary).
 * Buttons carry data-kbdeck="<command>" plus data-kb/data-topic/data-mock/data-anchor/data-what; a click
 * sends pycmd("kbdeck:<command>:<json>") to Python, which whitelists commands and values.
 * kbdeck.replace(id, html) swaps a fresh panel/view in place, keeping scroll and open <details>;
 * kbdeck.showAnchor(id) scrolls the note viewer to a heading and highlights it.
 * A note with formulas loads Anki's MathJax before this script (dialog.py); the note is typeset once
 * MathJax is ready, and the heading shown again, since typeset formulas change the page's height.
 * Idempotent: Anki may load the page's scripts again.
 */
(function () {
  "use strict";
  if (window.kbdeck) {
    return;
  }

  function send(el) {
    var payload = {};
    ["kb", "topic", "mock", "anchor", "what"].forEach(function (key) {
      if (el.dataset[key]) {
        payload[key] = el.dataset[key];
      }
    });
    if (typeof pycmd === "function") {
      pycmd("kbdeck:" + el.dataset.kbdeck + ":" + JSON.stringify(payload));
    }
  }

  document.addEventListener(
    "click",
    function (event) {
      var target = event.target;
      var el = target && target.closest ? target.closest("[data-kbdeck]") : null;
      if (!el) {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      send(el);
    },
    true
  );

  function detailsKey(d) {
    return (d.dataset.week || "") + "|" + (d.dataset.day || "") + "|" + d.className;
  }

  function replace(id, html) {
    var old = document.getElementById(id);
    if (!old) {
      return false;
    }
    var open = {};
    old.querySelectorAll("details").forEach(function (d) {
      open[detailsKey(d)] = d.open;
    });
    var scroll = window.scrollY;
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    var fresh = tpl.content.firstElementChild;
    if (!fresh) {
      return false;
    }
    fresh.querySelectorAll("details").forEach(function (d) {
      var key = detailsKey(d);
      if (Object.prototype.hasOwnProperty.call(open, key)) {
        d.open = open[key];
      }
    });
    old.replaceWith(fresh);
    window.scrollTo(0, scroll);
    typeset();
    return true;
  }

  var shownAnchor = "";

  function typeset() {
    var note = document.querySelector(".kbdeck-note");
    var mathjax = window.MathJax;
    if (!note || !mathjax || !mathjax.startup || !mathjax.startup.promise) {
      return;
    }
    mathjax.startup.promise
      .then(function () {
        return mathjax.typesetPromise([note]);
      })
      .then(function () {
        unlinkUnsafe(note);
        if (shownAnchor) {
          showAnchor(shownAnchor);
        }
      })
      .catch(function () {
        /* a formula MathJax cannot read stays as written */
      });
  }

  var SAFE_LINK = /^(https?:\/\/|mailto:|#)/i;

  function unlinkUnsafe(note) {
    /* a typeset formula's links (MathJax's \href) to anything but http(s), mailto or an #anchor */
    note.querySelectorAll("mjx-container a[href], mjx-container [href]").forEach(function (el) {
      var href = (el.getAttribute("href") || "").replace(/[\u0000-\u0020]/g, "");
      if (!SAFE_LINK.test(href)) {
        el.removeAttribute("href");
      }
    });
  }

  function showAnchor(anchor) {
    shownAnchor = anchor || "";
    var pill = document.querySelector(".kb-pills .kb-current");
    if (pill && pill.scrollIntoView) {
      pill.scrollIntoView({ block: "nearest", inline: "center" });
    }
    document.querySelectorAll(".kb-target").forEach(function (el) {
      el.classList.remove("kb-target");
    });
    var note = document.querySelector(".kbdeck-note");
    var target = null;
    if (anchor && note) {
      note.querySelectorAll("[id]").forEach(function (el) {
        if (!target && el.id === anchor) {
          target = el;
        }
      });
    }
    if (!target) {
      window.scrollTo(0, 0);
      return false;
    }
    target.classList.add("kb-target");
    var nav = document.querySelector(".kb-nav");
    var offset = (nav ? nav.getBoundingClientRect().height : 0) + 16;
    window.scrollTo(0, target.getBoundingClientRect().top + window.scrollY - offset);
    return true;
  }

  window.kbdeck = { replace: replace, showAnchor: showAnchor };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", typeset);
  } else {
    typeset();
  }
})();
