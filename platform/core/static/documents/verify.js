// Compare a PDF the reader holds with the issued one (the file never leaves the browser). A file of
// its own, not an inline script: the Content-Security-Policy allows scripts from this site only.
"use strict";
(function () {
  var expected = document.getElementById("verify-script").getAttribute("data-sha256");
  document.getElementById("pdf").addEventListener("change", async function (ev) {
    var out = document.getElementById("check-result");
    var file = ev.target.files[0];
    if (!file) return;
    if (!window.crypto || !crypto.subtle) { out.textContent = "此浏览器不能在本页计算文件摘要。"; return; }
    var digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
    var hex = Array.from(new Uint8Array(digest)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    var same = hex === expected;
    out.className = same ? "ok" : "bad";
    out.textContent = same ? "一致：该文件与出具的文书完全相同。" : "不一致：该文件与出具的文书不同，可能被修改过。";
  });
})();
