// Unit hierarchy: the selected unit's ancestors (district → … → building) and its children.
// Clicking a row selects the unit on the map (feature-state) and flies there; map clicks update it.
import { api, listUnits, unitId, type UnitFeature, type UnitRef } from "../api";
import type { App } from "../app";
import { levelName, t } from "../i18n";
import { h, fmtArea, showError } from "../ui";
import type { Panel } from "./index";

function row(app: App, u: UnitRef, cls: string): HTMLElement {
  return h(
    "li",
    { class: `unit-row ${cls}`, "data-unit-id": u.id, "data-level": u.level },
    h(
      "button",
      { class: "link", onclick: () => void app.select(u.id, u.level, { fly: true }).catch(showError) },
      h("span", { class: `badge l${u.level}` }, levelName(u.level)),
      ` ${u.name}`,
    ),
  );
}

export const treePanel: Panel = {
  id: "tree",
  label: "tabTree",
  visible: () => true,
  render(app, el) {
    const body = h("div", { class: "tree" });
    el.append(body);
    let token = 0;
    const draw = async (): Promise<void> => {
      const mine = ++token;
      const sel = app.selection;
      const rootUnit = app.me.unit;
      const focusId = sel?.id ?? rootUnit?.id;
      if (!focusId) return;
      body.replaceChildren(h("p", { class: "muted" }, t("loading")));
      try {
        const [ancestors, focus, children] = await Promise.all([
          api<UnitRef[] | { results?: UnitRef[]; features?: UnitFeature[] }>(`/api/units/${focusId}/ancestors/`).catch(() => []),
          sel?.feature ?? api<UnitFeature>(`/api/units/${focusId}/`),
          listUnits({ parent: focusId, geometry: "false" }),
        ]);
        if (mine !== token || !el.isConnected) return;
        const anc = normalise(ancestors).filter((a) => a.level >= 1);
        const fp = focus.properties!;
        const list = h("ul", { class: "breadcrumb" }, ...anc.map((a) => row(app, a, "ancestor")), row(app, { ...fp, id: unitId(focus) }, "current"));
        const facts = h(
          "dl",
          { class: "facts" },
          h("dt", {}, t("area")),
          h("dd", {}, fmtArea(fp.area_m2)),
          fp.level === 5 ? h("dt", {}, t("floors")) : null,
          fp.level === 5 ? h("dd", {}, String(fp.floors ?? "–")) : null,
          fp.level === 5 ? h("dt", {}, t("height")) : null,
          fp.level === 5 ? h("dd", {}, fp.height_m ? `${fp.height_m} m` : "–") : null,
        );
        const kids = children.map((c) => ({ ...c.properties!, id: unitId(c) }));
        kids.sort((a, b) => a.code.localeCompare(b.code));
        body.replaceChildren(
          list,
          facts,
          // A community's published items are one click away: its list in 民政易.
          fp.level === 3 ? h("a", { class: "published-link", id: "published-link", href: `/app/#/unit/${unitId(focus)}`, target: "_blank" }, `${t("publishedItems")} ›`) : "",
          h("h4", {}, `${t("children")} (${kids.length})`),
          kids.length ? h("ul", { class: "children" }, ...kids.map((k) => row(app, k, "child"))) : h("p", { class: "muted" }, t("noChildren")),
        );
      } catch (err) {
        showError(err);
      }
    };
    app.on("select", () => void draw(), body);
    void draw();
  },
};

function normalise(a: unknown): UnitRef[] {
  const items = Array.isArray(a) ? a : ((a as { results?: unknown[]; features?: unknown[] }).results ?? (a as { features?: unknown[] }).features ?? []);
  return items.map((x) => {
    const f = x as UnitFeature & UnitRef;
    return f.properties ? { ...f.properties, id: Number(f.properties.id ?? f.id) } : f;
  });
}
