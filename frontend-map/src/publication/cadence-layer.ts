// The publication module's map layer 村务公开逾期: each village's 村(居)务公开 cadence (overdue in red, on
// time in green) from the tile layer "affairs_cadence" (declared by the publication module through the
// tiles registry), offered to those the server lists it for (staff), with a toggle, a legend naming the
// rules and their citation, and a popup with the village's overdue rule, its citation and a link to
// the village's items.
import * as maplibregl from "maplibre-gl";
import { api } from "../api";
import { getLang } from "../i18n";
import { addModuleSource } from "../module-layer";
import { h } from "../ui";

const LAYER = "affairs_cadence";
const FILL = "affairs-cadence-fill";
const LINE = "affairs-cadence-line";
const L = (zh: string, en: string): string => (getLang() === "en" ? en : zh);

interface CadenceSummary {
  overdue_count: number;
  rules: { citation: string; confirmed: boolean; rules: Array<{ id: string; title: string }> };
}

let summary: Promise<CadenceSummary> | null = null;
/** The rules and their citation, read once (they change with the rule set, not with the map). */
function rules(): Promise<CadenceSummary> {
  summary ??= api<CadenceSummary>("/api/publication/cadence/?overdue=1");
  return summary;
}

function citation(s: CadenceSummary): string {
  return `${L("依据", "Source")}：${s.rules.citation}${s.rules.confirmed ? "" : L("（2026年文本条号待核实）", " (2026 article number to be checked)")}`;
}

class CadenceControl implements maplibregl.IControl {
  private box: HTMLElement = h("div");
  constructor(private readonly onToggle: (on: boolean) => Promise<void>) {}

  onAdd(): HTMLElement {
    const button = h("button", { type: "button", id: "btn-affairs-cadence", class: "cadence-toggle", "aria-pressed": "false", title: L("显示/隐藏村务公开逾期图层", "Show or hide the overdue village affairs layer") }, L("村务公开逾期", "Overdue affairs"));
    const legend = h("div", { class: "cadence-legend", id: "cadence-legend", hidden: true });
    let on = false;
    button.addEventListener("click", () => {
      on = !on;
      button.classList.toggle("active", on);
      button.setAttribute("aria-pressed", String(on));
      legend.hidden = !on;
      void this.onToggle(on).then(() => (on ? this.fillLegend(legend) : undefined));
    });
    this.box = h("div", { class: "maplibregl-ctrl maplibregl-ctrl-group cadence-ctrl" }, button, legend);
    return this.box;
  }

  onRemove(): void {
    this.box.remove();
  }

  private async fillLegend(el: HTMLElement): Promise<void> {
    const s = await rules();
    el.replaceChildren(
      h("div", {}, h("span", { class: "swatch", style: "background:#d7191c" }), ` ${L("逾期", "overdue")}（${s.overdue_count}）`),
      h("div", {}, h("span", { class: "swatch", style: "background:#1a9641" }), ` ${L("正常", "on time")}`),
      ...s.rules.rules.filter((r) => r.id !== "major").map((r) => h("div", { class: "rule" }, r.title)),
      h("div", { class: "citation" }, citation(s)),
    );
  }
}

/** Add the layer (hidden until switched on) when the server offers it to this user. */
export async function setupCadenceLayer(map: maplibregl.Map, offered: Set<string>): Promise<void> {
  if (!(await addModuleSource(map, LAYER, offered, 9))) return;
  const colour: maplibregl.ExpressionSpecification = ["match", ["get", "status"], "overdue", "#d7191c", "#1a9641"];
  map.addLayer({ id: FILL, type: "fill", source: LAYER, "source-layer": LAYER, layout: { visibility: "none" }, paint: { "fill-color": colour, "fill-opacity": 0.35 } });
  map.addLayer({ id: LINE, type: "line", source: LAYER, "source-layer": LAYER, layout: { visibility: "none" }, paint: { "line-color": colour, "line-width": 2 } });
  map.addControl(
    new CadenceControl(async (on) => {
      for (const id of [FILL, LINE]) map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
    }),
    "top-left",
  );
  map.on("click", FILL, (ev) => {
    const f = ev.features?.[0];
    if (!f) return;
    const p = f.properties as Record<string, string>;
    const source = h("div", { class: "citation" });
    const body = h(
      "div",
      { class: "cadence-popup", id: "cadence-popup" },
      h("strong", {}, p.name ?? ""),
      h("div", { class: p.status === "overdue" ? "overdue" : "ok" }, p.status === "overdue" ? L("逾期：", "Overdue: ") + (p.rules ?? "") : L("按期公开", "On time")),
      h("div", {}, `${L("最近公开", "Last published")}：${p.last_published || L("从未", "never")}`),
      source,
      h("a", { href: `/app/#/unit/${String(f.id)}`, target: "_blank" }, L("查看公开内容 ›", "Open its items ›")),
    );
    new maplibregl.Popup({ maxWidth: "280px" }).setLngLat(ev.lngLat).setDOMContent(body).addTo(map);
    void rules().then((s) => (source.textContent = citation(s)));
  });
}
