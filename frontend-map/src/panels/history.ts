// Boundary history of the selected unit: as-of date, compare two versions, restore one.
import type { Geometry } from "geojson";
import { api } from "../api";
import { datePicker } from "../datepicker";
import { fc, setOverlay } from "../draw";
import { t } from "../i18n";
import { fmtArea, form, h, showError, toast } from "../ui";
import type { Panel } from "./index";

interface Version {
  version: number;
  at: string; // ISO 8601 in the platform's time zone, with its offset (e.g. +08:00)
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

/** "2026-05-01T14:03:22.5+08:00" → "2026-05-01 14:03": the office's clock time, as the server
 *  wrote it (not re-read in the browser's zone, which may differ from the platform's). */
export function localTime(iso: string): string {
  return iso.slice(0, 16).replace("T", " ");
}

function clear(app: Parameters<Panel["render"]>[0]): void {
  setOverlay(app, "history-a", null);
  setOverlay(app, "history-b", null);
  setOverlay(app, "history-asof", null);
}

export const historyPanel: Panel = {
  id: "history",
  label: "tabHistory",
  visible: (app) => app.me.capabilities.staff,
  render(app, el) {
    const body = h("div", { class: "history" });
    el.append(body);
    let token = 0;
    const draw = async (): Promise<void> => {
      clear(app);
      const sel = app.selection;
      const mine = ++token;
      if (!sel) {
        body.replaceChildren(h("p", { class: "muted" }, t("selectUnitFirst")));
        return;
      }
      body.replaceChildren(h("p", { class: "muted" }, t("loading")));
      try {
        const res = await api<{ versions: Version[] }>(`/api/units/${sel.id}/history/`);
        if (mine !== token) return;
        const versions = res.versions.slice().sort((a, b) => b.version - a.version);
        const info = h("p", { class: "muted", id: "history-info" });
        // As of a date: the unit and its subtree as they were at the end of that day, as outlines
        // in their own colour (not the red and blue of a comparison).
        const date = datePicker("history-date", async (iso) => {
          try {
            const asOf = await api<GeoJSON.FeatureCollection>(`/api/boundaries/as-of/?date=${iso}&root=${sel.id}`);
            setOverlay(app, "history-a", null);
            setOverlay(app, "history-b", null);
            setOverlay(app, "history-asof", asOf);
            info.textContent = t("asOfCount", { date: iso, n: String(asOf.features.length) });
          } catch (err) {
            showError(err);
          }
        });
        const picks = new Set<number>();
        const rows = versions.map((v) => {
          const box = h("input", { type: "checkbox", "data-version": v.version });
          box.addEventListener("change", () => (box.checked ? picks.add(v.version) : picks.delete(v.version)));
          return h(
            "li",
            { class: `version${v.current ? " current" : ""}`, "data-version": v.version },
            h("label", {}, box, h("b", {}, ` v${v.version} `)),
            h("span", { class: "when" }, localTime(v.at)),
            " ",
            h("span", { class: "who" }, v.author ?? ""),
            " ",
            h("span", { class: "op" }, v.operation_label ?? ""),
            h("div", { class: "muted" }, `${fmtArea(v.area_m2)} ${v.reason ?? ""}`),
            app.me.capabilities.write && !v.current ? h("button", { class: "link restore", onclick: () => void restore(v) }, t("restore")) : null,
          );
        });
        const compare = h(
          "button",
          {
            id: "history-compare",
            onclick: async () => {
              const [a, b] = [...picks].sort((x, y) => x - y);
              if (a === undefined || b === undefined) {
                info.textContent = t("pickTwoVersions");
                return;
              }
              try {
                const c = await api<Compare>(`/api/units/${sel.id}/history/compare/?a=${a}&b=${b}`);
                // Only the difference is painted: red what the later version lost, blue what it
                // gained; the as-of outlines (if any) are taken away so nothing else reads as "lost".
                setOverlay(app, "history-asof", null);
                setOverlay(app, "history-a", fc(c.removed.geometry));
                setOverlay(app, "history-b", fc(c.added.geometry));
                const same = !c.removed.geometry && !c.added.geometry;
                info.replaceChildren(
                  `v${c.from.version} ${fmtArea(c.from.area_m2)} → v${c.to.version} ${fmtArea(c.to.area_m2)}（+${fmtArea(c.added.area_m2)} / −${fmtArea(c.removed.area_m2)}）`,
                  h("br", {}),
                  same ? t("compareNoChange") : t("compareLegend"),
                );
              } catch (err) {
                showError(err);
              }
            },
          },
          t("compare"),
        );
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
          h("div", { class: "asof" }, t("asOf"), " ", date),
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
        clear(app);
        obs.disconnect();
      }
    }).observe(el, { childList: true });
  },
};
