// Layer switches and the legend.
import type { App } from "../app";
import { levelName, t, type Key } from "../i18n";
import { COLORS, LEVEL_LAYERS, LEVEL_OF, layerIdsFor } from "../style";
import { h } from "../ui";
import type { Panel } from "./index";

function setVisible(app: App, ids: string[], on: boolean): void {
  for (const id of ids) {
    if (!app.map.getLayer(id)) continue;
    // The 3D switch owns the extrusion/flat pair: keep the one that fits the current mode.
    if (id === "building-extrusion" && !app.is3d) continue;
    if (id === "building-fill" && app.is3d) continue;
    app.map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
  }
}

function isVisible(app: App, id: string): boolean {
  return !!app.map.getLayer(id) && app.map.getLayoutProperty(id, "visibility") !== "none";
}

export const layersPanel: Panel = {
  id: "layers",
  label: "tabLayers",
  visible: () => true,
  render(app, el) {
    const sw = (label: string, ids: string[], probe: string): HTMLElement => {
      const box = h("input", { type: "checkbox", "data-layer": probe });
      box.checked = isVisible(app, probe);
      box.disabled = !app.map.getLayer(probe);
      box.addEventListener("change", () => setVisible(app, ids, box.checked));
      return h("label", { class: "switch" }, box, ` ${label}`);
    };
    const rows: HTMLElement[] = [];
    for (const name of LEVEL_LAYERS) {
      const ids = layerIdsFor(name);
      rows.push(sw(levelName(LEVEL_OF[name]), ids, name === "building" ? (app.is3d ? "building-extrusion" : "building-fill") : `${name}-line`));
    }
    const extra: Array<[Key, string[]]> = [
      ["layerLabels", ["unit-labels"]],
      ["layerFacility", ["facility-circle", "facility-label"]],
      ["layerBase", ["base-town", "base-community"]],
      ["layerHillshade", ["hillshade"]],
      ["layerImagery", ["imagery"]],
    ];
    for (const [key, ids] of extra) rows.push(sw(t(key), ids, ids[0]));
    // No imagery on this server: say how an administrator adds it instead of a silent grey switch.
    if (!app.map.getLayer("imagery")) rows.push(h("p", { class: "muted small notice", id: "imagery-note" }, t("imageryMissing")));
    const terrain = h("input", { type: "checkbox", id: "terrain-switch" });
    terrain.checked = app.terrain;
    terrain.disabled = !app.map.getSource("terrain");
    terrain.addEventListener("change", () => {
      app.terrain = terrain.checked;
      if (app.is3d) app.map.setTerrain(terrain.checked ? { source: "terrain", exaggeration: 1.2 } : null);
    });
    rows.push(h("label", { class: "switch" }, terrain, ` ${t("layerTerrain")}`));
    if (app.softwareGl) rows.push(h("p", { class: "muted small", id: "terrain-note" }, t("terrainSoftware")));
    const legend = h(
      "ul",
      { class: "legend" },
      ...LEVEL_LAYERS.map((n) =>
        h("li", {}, h("span", { class: n === "building" ? "swatch fill" : "swatch line", style: `--c:${COLORS[n]}` }), levelName(LEVEL_OF[n])),
      ),
      h("li", {}, h("span", { class: "swatch fill", style: "--c:#ffb000" }), t("selected")),
      h("li", {}, h("span", { class: "swatch ramp" }), t("building3d")),
      h("li", {}, h("span", { class: "swatch dot", style: "--c:#0b7a75" }), t("layerFacility")),
    );
    el.append(h("div", { class: "layers" }, ...rows), h("h4", {}, t("legend")), legend);
  },
};
