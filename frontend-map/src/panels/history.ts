// Boundary history of the selected unit: as-of date, compare two versions, restore one.
import type { Geometry } from "geojson";
import { api } from "../api";
import { setOverlay } from "../draw";
import { t } from "../i18n";
import { fmtArea, form, h, showError, toast } from "../ui";
import type { Panel } from "./index";

interface Version {
  version: number;
  at: string;
  author?: string;
  reason?: string;
  operation_label?: string;
  area_m2?: number | null;
  current?: boolean;
}

interface Compare {
  from: { version: number; area_m2: number };
  to: { version: number; area_m2: number };
  added: { geometry: Geometry | null; area_m2: number };
  removed: { geometry: Geometry | null; area_m2: number };
}

function fc(g: Geometry | null | undefined): GeoJSON.FeatureCollection | null {
  return g ? { type: "FeatureCollection", features: [{ type: "Feature", properties: {}, geometry: g }] } : null;
}

export const historyPanel: Panel = {
  id: "history",
  label: "tabHistory",
  visible: () => true,
  render(app, el) {
    const body = h("div", { class: "history" });
    el.append(body);
    const clear = (): void => {
      setOverlay(app, "history-a", null);
      setOverlay(app, "history-b", null);
    };
    const draw = async (): Promise<void> => {
      clear();
      const sel = app.selection;
      if (!sel) {
        body.replaceChildren(h("p", { class: "muted" }, t("selectUnitFirst")));
        return;
      }
      body.replaceChildren(h("p", { class: "muted" }, t("loading")));
      try {
        const res = await api<{ versions: Version[] }>(`/api/units/${sel.id}/history/`);
        const versions = res.versions.slice().sort((a, b) => b.version - a.version);
        const date = h("input", { type: "date", id: "history-date" });
        // As of a date: the unit and its subtree as they were at the end of that day.
        date.addEventListener("change", async () => {
          if (!date.value) return;
          try {
            const asOf = await api<GeoJSON.FeatureCollection>(`/api/boundaries/as-of/?date=${date.value}&root=${sel.id}`);
            setOverlay(app, "history-a", asOf);
            setOverlay(app, "history-b", null);
            info.textContent = `${date.value}: ${asOf.features.length}`;
          } catch (err) {
            showError(err);
          }
        });
        const info = h("span", { class: "muted" });
        const picks = new Set<number>();
        const rows = versions.map((v) => {
          const box = h("input", { type: "checkbox", "data-version": v.version });
          box.addEventListener("change", () => (box.checked ? picks.add(v.version) : picks.delete(v.version)));
          return h(
            "li",
            { class: "version", "data-version": v.version },
            box,
            h("b", {}, ` v${v.version} `),
            h("span", {}, `${v.at.slice(0, 16).replace("T", " ")} ${v.author ?? ""} ${v.operation_label ?? ""} `),
            h("span", { class: "muted" }, `${fmtArea(v.area_m2)} ${v.reason ?? ""}`),
            app.me.capabilities.write ? h("button", { class: "link restore", onclick: () => void restore(v) }, t("restore")) : null,
          );
        });
        const compare = h("button", {
          id: "history-compare",
          onclick: async () => {
            const [a, b] = [...picks].sort((x, y) => x - y);
            if (a === undefined || b === undefined) return;
            try {
              // Red: area the later version lost; blue: area it gained.
              const c = await api<Compare>(`/api/units/${sel.id}/history/compare/?a=${a}&b=${b}`);
              setOverlay(app, "history-a", fc(c.removed.geometry));
              setOverlay(app, "history-b", fc(c.added.geometry));
              info.textContent = `v${c.from.version} ${fmtArea(c.from.area_m2)} → v${c.to.version} ${fmtArea(c.to.area_m2)}（+${fmtArea(c.added.area_m2)} / −${fmtArea(c.removed.area_m2)}）`;
            } catch (err) {
              showError(err);
            }
          },
        }, t("compare"));
        const restore = async (v: Version): Promise<void> => {
          const values = await form(`${t("restore")} v${v.version}`, [{ name: "reason", label: t("reasonPrompt"), type: "textarea", required: true }]);
          if (!values) return;
          try {
            await api(`/api/units/${sel.id}/restore/`, { method: "POST", body: { version: v.version, reason: values.reason } });
            toast(t("restored"));
            app.reloadTiles();
            await draw();
          } catch (err) {
            showError(err);
          }
        };
        body.replaceChildren(
          h("h3", {}, t("historyTitle")),
          h("label", {}, t("asOf"), " ", date),
          info,
          h("h4", {}, t("versions")),
          h("ul", { class: "versions" }, ...rows),
          compare,
        );
      } catch (err) {
        body.replaceChildren(h("p", { class: "error" }, (err as Error).message));
      }
    };
    app.on("select", () => void draw(), body);
    void draw();
    new MutationObserver((_, obs) => {
      if (!body.isConnected) {
        clear();
        obs.disconnect();
      }
    }).observe(el, { childList: true });
  },
};
