// Consistency of a unit's children (gaps, overlaps, units outside their parent) as a layer and a list.
import type { Feature, Geometry } from "geojson";
import { api } from "../api";
import { setOverlay } from "../draw";
import { t, type Key } from "../i18n";
import { fmtArea, h } from "../ui";
import type { Panel } from "./index";

interface Item {
  kind?: string;
  type?: string;
  geometry: Geometry | null;
  area_m2?: number | null;
  length_m?: number | null;
  units?: number[];
  unit?: number;
  detail?: string;
  message?: string;
}

/** Accepts {items: [...]}, {gaps: [...], overlaps: [...], outside: [...]} or a plain list. */
function itemsOf(res: unknown): Item[] {
  if (Array.isArray(res)) return res as Item[];
  const r = res as Record<string, unknown>;
  if (Array.isArray(r.items)) return r.items as Item[];
  if (Array.isArray(r.issues)) return r.issues as Item[];
  const out: Item[] = [];
  for (const key of ["gaps", "overlaps", "outside", "invalid_edges", "problems"]) {
    if (Array.isArray(r[key])) for (const it of r[key] as Item[]) out.push({ kind: it.kind ?? key.replace(/s$/, ""), ...it });
  }
  return out;
}

const LABEL: Record<string, Key> = { gap: "gap", overlap: "overlap", outside: "outside", outside_parent: "outside", unmatched_edge: "unmatchedEdge" };

export const checkPanel: Panel = {
  id: "check",
  label: "tabCheck",
  visible: (app) => app.me.capabilities.staff,
  render(app, el) {
    const body = h("div", { class: "check" });
    el.append(body);
    const run = async (): Promise<void> => {
      const id = app.selection?.id ?? app.me.unit?.id;
      if (!id) return;
      body.replaceChildren(h("p", { class: "muted" }, t("loading")));
      try {
        const items = itemsOf(await api(`/api/units/${id}/consistency/`));
        const feats: Feature[] = items.filter((i) => i.geometry).map((i, n) => ({ type: "Feature", id: n, properties: { kind: i.kind ?? i.type ?? "" }, geometry: i.geometry! }));
        setOverlay(app, "check", { type: "FeatureCollection", features: feats });
        body.replaceChildren(
          h("h3", {}, t("checkTitle")),
          items.length
            ? h(
                "ul",
                { class: "check-items" },
                ...items.map((it) => {
                  const kind = it.kind ?? it.type ?? "";
                  return h(
                    "li",
                    { class: `check-item ${kind}` },
                    h(
                      "button",
                      { class: "link", onclick: () => it.geometry && app.flyToGeometry(it.geometry, 5) },
                      h("span", { class: "badge warn" }, LABEL[kind] ? t(LABEL[kind]) : kind),
                      ` ${it.length_m ? `${it.length_m.toFixed(0)} m` : fmtArea(it.area_m2)} ${it.detail ?? it.message ?? ""}`,
                    ),
                  );
                }),
              )
            : h("p", { class: "ok" }, t("checkOk")),
        );
      } catch (err) {
        body.replaceChildren(h("p", { class: "error" }, (err as Error).message));
      }
    };
    app.on("select", () => void run(), body);
    void run();
    new MutationObserver((_, obs) => {
      if (!body.isConnected) {
        setOverlay(app, "check", null);
        obs.disconnect();
      }
    }).observe(el, { childList: true });
  },
};
