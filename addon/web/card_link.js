/* kbdeck add-on, on card pages (reviewer, previewer, card layout): a card's source link
 * (<a data-kbdeck-src="area/topic.md#heading">) opens the note viewer inside Anki instead of a
 * browser. The link's value goes to Python as data; Python decides which note it names.
 * Marks the page with html.kbdeck-addon so the card CSS can show links that only the add-on can
 * follow. One delegated, capturing listener: cards are swapped into the same page, so it is
 * installed once (guarded) and never per card.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("kbdeck-addon");
  if (window.__kbdeckCardLink) {
    return;
  }
  window.__kbdeckCardLink = true;
  document.addEventListener(
    "click",
    function (event) {
      var target = event.target;
      var link = target && target.closest ? target.closest("a[data-kbdeck-src]") : null;
      if (!link || typeof pycmd !== "function") {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      pycmd("kbdeck:src:" + JSON.stringify({ src: link.getAttribute("data-kbdeck-src") || "" }));
    },
    true
  );
})();
