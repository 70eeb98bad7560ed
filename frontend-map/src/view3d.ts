// The 2D/3D switch: in 3D buildings extrude by height, terrain is on and the camera pitches.
// The selection lives in feature-state on the same sources, so it survives the switch.
import type { App } from "./app";
import { t } from "./i18n";

export function set3d(app: App, on: boolean): void {
  const map = app.map;
  app.is3d = on;
  const flatVisible = map.getLayer("building-fill") && map.getLayoutProperty("building-fill", "visibility") !== "none";
  const extrVisible = map.getLayer("building-extrusion") && map.getLayoutProperty("building-extrusion", "visibility") !== "none";
  const buildingsShown = on ? flatVisible : extrVisible || flatVisible;
  if (map.getLayer("building-extrusion")) map.setLayoutProperty("building-extrusion", "visibility", on && buildingsShown ? "visible" : "none");
  if (map.getLayer("building-fill")) map.setLayoutProperty("building-fill", "visibility", !on && buildingsShown ? "visible" : "none");
  if (on && app.terrain && map.getSource("terrain")) map.setTerrain({ source: "terrain", exaggeration: 1.2 });
  else map.setTerrain(null);
  map.easeTo({ pitch: on ? 60 : 0, bearing: on ? -20 : 0, duration: 600 });
  const btn = document.getElementById("btn-3d")!;
  btn.textContent = on ? t("view2d") : t("view3d");
  btn.classList.toggle("active", on);
  document.body.classList.toggle("mode-3d", on);
  app.emit("mode");
}

export function setup3d(app: App): void {
  const btn = document.getElementById("btn-3d")!;
  btn.addEventListener("click", () => set3d(app, !app.is3d));
}
