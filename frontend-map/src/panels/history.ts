// Boundary history of the selected unit: as-of date, compare two versions, restore one.
import type { Geometry } from "geojson";
import { api } from "../api";
import { setOverlay } from "../draw";
import { t } from "../i18n";
import { fmtArea, form, h, showError, toast } from "../ui";
import type { Panel } from "./index";

interface Version {
  version: number;
  created_at?: string;
  valid_from?: string;
  changed_at?: string;
  user?: string | { username?: string; display_name?: string } | null;
  changed_by?: string | null;
  reason?: string;
  area_m2?: number | null;
  geometry?: Geometry | null;
}

const whenOf = (v: Version): string => v.valid_from ?? v.changed_at ?? v.created_at ?? "";
const whoOf = (v: Version): string => (typeof v.user === "object" && v.user ? (v.user.display_name || v.user.username || "") : (v.user ?? v.changed_by ?? "")) as string;

function fc(v: Version | undefined): GeoJSON.FeatureCollection | null {
  return v?.geometry ? { type: "FeatureCollection", features: [{ type: "Feature", properties: { version: v.version }, geometry: v.geometry }] } : null;
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
        const res = await api<Version[] | { results?: Version[]; versions?: Version[] }>(`/api/units/${sel.id}/history/`);
        const versions = (Array.isArray(res) ? res : (res.results ?? res.versions ?? [])).slice().sort((a, b) => b.version - a.version);
        const date = h("input", { type: "date", id: "history-date" });
        date.addEventListener("change", () => {
          const end = new Date(`${date.value}T23:59:59`);
          const v = versions.find((x) => whenOf(x) && new Date(whenOf(x)) <= end);
          setOverlay(app, "history-a", fc(v));
          setOverlay(app, "history-b", null);
          info.textContent = v ? `v${v.version} · ${whenOf(v).slice(0, 10)}` : "–";
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
            h("span", {}, `${whenOf(v).slice(0, 16).replace("T", " ")} ${whoOf(v)} `),
            h("span", { class: "muted" }, `${fmtArea(v.area_m2)} ${v.reason ?? ""}`),
            app.me.can_write ? h("button", { class: "link restore", onclick: () => void restore(v) }, t("restore")) : null,
          );
        });
        const compare = h("button", {
          id: "history-compare",
          onclick: () => {
            const [a, b] = [...picks].sort((x, y) => x - y).map((n) => versions.find((v) => v.version === n));
            setOverlay(app, "history-a", fc(a));
            setOverlay(app, "history-b", fc(b));
            info.textContent = a && b ? `v${a.version} ${fmtArea(a.area_m2)} → v${b.version} ${fmtArea(b.area_m2)}` : "";
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
