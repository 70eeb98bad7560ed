// 导出: a unit's boundaries and those below it as GeoJSON, GeoPackage, Shapefile or CSV, in
// CGCS2000 or WGS-84. The file carries its provenance (unit, time, who, version); every export is
// audited by the server. Offered to the roles that may export (capabilities.export).
import { api, type UnitCollection } from "../api";
import { levelName } from "../i18n";
import { filenameOf, L, saveBlob } from "../population/common";
import { h, showError, toast } from "../ui";
import type { Panel } from "./index";

interface UnitChoice {
  id: number;
  name: string;
  code: string;
  level: number;
}

export const exportPanel: Panel = {
  id: "export",
  label: "tabExport",
  visible: (app) => app.me.capabilities.export && !!app.me.unit,
  render(app, el) {
    const me = app.me.unit!;
    let unit: UnitChoice = { id: me.id, name: me.name, code: me.code, level: me.level };
    const sel = app.selection?.feature?.properties;
    if (sel && sel.level < 5) unit = { id: app.selection!.id, name: sel.name, code: sel.code, level: sel.level };
    const chosen = h("p", { id: "export-unit", class: "pop-picked chosen" });
    const search = h("input", { type: "search", id: "export-unit-q", placeholder: L("搜索单位名称或代码", "Find a unit by name or code"), autocomplete: "off" });
    const results = h("ul", { class: "pop-suggest", id: "export-unit-results" });
    const levelsBox = h("fieldset", { id: "export-levels" }, h("legend", {}, L("层级", "Levels")));
    const fmt = h("select", { id: "export-format" },
      h("option", { value: "gpkg" }, "GeoPackage (.gpkg)"),
      h("option", { value: "geojson" }, "GeoJSON"),
      h("option", { value: "shp" }, L("Shapefile（zip 压缩包）", "Shapefile (zip)")),
      h("option", { value: "csv" }, L("CSV（WKT 几何）", "CSV (WKT geometry)")));
    const crs = h("select", { id: "export-crs" },
      h("option", { value: "4490" }, L("CGCS2000 国家大地坐标系（EPSG:4490）", "CGCS2000 (EPSG:4490)")),
      h("option", { value: "4326" }, "WGS-84 (EPSG:4326)"));
    const note = h("p", { class: "muted" });
    const syncNote = (): void => {
      note.textContent = fmt.value === "geojson"
        ? L("GeoJSON 按 RFC 7946 一律为 WGS-84 经纬度。", "GeoJSON is always WGS-84 (RFC 7946).")
        : L("文件内记录来源：单位、导出时间、导出人、平台版本；每个要素带有其边界版本号。", "The file records its provenance: unit, time, who, platform version; each feature its boundary version.");
      crs.disabled = fmt.value === "geojson";
    };
    fmt.addEventListener("change", syncNote);
    const setUnit = (u: UnitChoice): void => {
      unit = u;
      chosen.textContent = L(`导出单位：${u.name}（${u.code}，${levelName(u.level)}）`, `Unit: ${u.name} (${u.code}, ${levelName(u.level)})`);
      levelsBox.replaceChildren(h("legend", {}, L("层级", "Levels")));
      for (let lv = u.level; lv <= 5; lv++) {
        levelsBox.append(h("label", {}, h("input", { type: "checkbox", name: "level", value: String(lv), checked: lv === u.level + 1 || (u.level === 5 && lv === 5) }), ` ${levelName(lv)}`));
      }
    };
    setUnit(unit);
    let timer: number | undefined;
    search.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(async () => {
        const q = search.value.trim();
        if (!q) return void results.replaceChildren();
        try {
          const fc = await api<UnitCollection>(`/api/units/?q=${encodeURIComponent(q)}&geometry=false&page_size=20`);
          results.replaceChildren(...fc.features.filter((f) => f.properties!.level < 5).map((f) => {
            const p = f.properties!;
            return h("li", {}, h("button", { type: "button", class: "link", "data-unit-id": p.id, onclick: () => { setUnit({ id: p.id, name: p.name, code: p.code, level: p.level }); results.replaceChildren(); search.value = ""; } },
              h("span", { class: `badge l${p.level}` }, levelName(p.level)), ` ${p.name}`, h("small", {}, ` ${p.code}`)));
          }));
        } catch (err) {
          showError(err);
        }
      }, 250);
    });
    const go = h("button", { type: "submit", id: "export-go" }, L("导出", "Export"));
    const frm = h("form", { class: "export-form" },
      h("h3", {}, L("导出边界数据", "Export boundaries")),
      chosen, search, results, levelsBox,
      h("label", {}, L("格式", "Format"), fmt),
      h("label", {}, L("坐标系", "Coordinate system"), crs),
      note, go);
    frm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const levels = [...levelsBox.querySelectorAll<HTMLInputElement>("input[name=level]:checked")].map((x) => x.value);
      if (!levels.length) return showError(new Error(L("请至少选择一个层级。", "Choose at least one level.")));
      const qs = new URLSearchParams({ fmt: fmt.value, srid: fmt.value === "geojson" ? "4326" : crs.value, levels: levels.join(",") });
      go.disabled = true;
      void getFile(`/api/units/${unit.id}/export/?${qs}`, `${unit.code}.${fmt.value}`)
        .then((name) => toast(L(`已导出：${name}`, `Exported: ${name}`)))
        .catch(showError)
        .finally(() => (go.disabled = false));
    });
    syncNote();
    el.append(frm);
  },
};

async function getFile(path: string, fallback: string): Promise<string> {
  const res = await fetch(path, { credentials: "same-origin" });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { detail?: string };
    throw new Error(body.detail ?? L("导出失败。", "The export failed."));
  }
  const name = filenameOf(res.headers.get("Content-Disposition")) ?? fallback;
  saveBlob(await res.blob(), name);
  return name;
}
