// Starts every offline map widget of the page (boundaries/widgets.py): the options come from the JSON
// the template writes beside the map, so the page needs no inline script (Content-Security-Policy).
"use strict";
(function () {
  function start() {
    document.querySelectorAll("[data-offline-map-widget]").forEach(function (wrapper) {
      if (wrapper.dataset.started) return;
      wrapper.dataset.started = "1";
      var id = wrapper.getAttribute("data-offline-map-widget");
      var options = JSON.parse(document.getElementById(id + "_options").textContent);
      options.base_layer = new ol.layer.Graticule({
        showLabels: true,
        strokeStyle: new ol.style.Stroke({ color: "rgba(0,0,0,0.2)", width: 1 }),
      });
      window["geodjango_" + options.name.replace(/[^A-Za-z0-9_]/g, "_")] = new MapWidget(options);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
