// The language switch submits on change. A file, not an onchange attribute: the Content-Security-Policy
// (script-src 'self') blocks inline event handlers.
"use strict";
document.querySelectorAll("form.language-switch select[name=language]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
