/* kbdeck add-on: loaded between Anki's MathJax configuration (js/mathjax.js) and its TeX bundle, in the
 * note viewer only. The viewer shows the notes of any deck, and MathJax's html package turns a formula's
 * \href{javascript:…}{…} into a live link and \style{…}{…} into inline CSS (seen in Anki 26.9.3). The
 * package is dropped and not loaded on demand (nor is `require`, which would load it back), and its
 * macros are defined again to typeset their content only (a link's text, a styled formula unstyled); the rest
 * of TeX (\color included) is typeset as in the reviewer. kbdeck.js also unlinks any address in a
 * typeset formula that is not http(s), mailto or an #anchor, should a MathJax of another Anki differ.
 */
(function () {
  "use strict";
  var mathjax = window.MathJax;
  if (!mathjax || typeof mathjax !== "object") {
    return;
  }
  var tex = (mathjax.tex = mathjax.tex || {});
  var packages = (tex.packages = tex.packages || {});
  var minus = (packages["[-]"] = packages["[-]"] || []);
  tex.autoload = tex.autoload || {};
  /* require: `\require{html}` would load the package back */
  ["html", "require"].forEach(function (name) {
    if (minus.indexOf(name) < 0) {
      minus.push(name);
    }
    tex.autoload[name] = [];
  });
  /* what the package's macros would have shown, without their effect: `\href{url}{text}` typesets its
   * text (a link on cards, plain text here), `\style`, `\class` and `\cssId` their formula, unstyled;
   * a note's formula using them reads as on a card instead of as TeX source */
  var macros = (tex.macros = tex.macros || {});
  ["href", "style", "class", "cssId"].forEach(function (name) {
    macros[name] = ["{#2}", 2];
  });
})();
