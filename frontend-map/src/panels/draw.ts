// The drawing panel: who may draw what, the preview report, saving with a reason.
import type { Feature, FeatureCollection, Polygon } from "geojson";
import { api, drawLevel, listUnits, unitId, type PreviewResult, type UnitFeature } from "../api";
import type { App } from "../app";
import { Drawer, preview, setOverlay } from "../draw";
import { levelName, t } from "../i18n";
import { fmtArea, form, h, showError, toast } from "../ui";
import type { Panel } from "./index";

const KINDS: Record<number, Array<[string, string]>> = {
  2: [["subdistrict", "街道"], ["town", "镇"], ["township", "乡"]],
  3: [["community", "社区"], ["village", "村"]],
  4: [["compound", "小区"], ["villager_group", "村民小组"], ["resident_group", "居民小组"]],
  5: [["building", "楼栋"]],
};

let drawer: Drawer | null = null;

/** Why this user may not draw here, or null when they may. */
export function drawRefusal(app: App): string | null {
  const me = app.me;
  if (!me.capabilities.write) return t("drawReadOnly");
  if (drawLevel(me) === null || !me.unit) return t("drawNoLevel");
  // The parent is the user's own unit (or a selected unit one level above draw level inside it);
  // the server checks jurisdiction again on every preview and save.
  return null;
}

function reportView(res: PreviewResult): HTMLElement {
  const r = res.report;
  const gapArea = r.gaps.reduce((s, g) => s + (g.area_m2 ?? 0), 0);
  const row = (k: Parameters<typeof t>[0], v: string, cls = ""): HTMLElement[] => [h("dt", {}, t(k)), h("dd", { class: cls }, v)];
  return h(
    "div",
    { class: "report", id: "draw-report" },
    h("h4", {}, t("reportTitle")),
    h(
      "dl",
      { class: "facts" },
      ...row("areaBefore", fmtArea(r.area_before_m2)),
      ...row("areaAfter", fmtArea(r.area_after_m2)),
      ...row("clipped", fmtArea(r.clipped_m2), r.clipped_m2 > 0 ? "warn" : ""),
      ...row("overlapRemoved", fmtArea(r.overlap_removed_m2), r.overlap_removed_m2 > 0 ? "warn" : ""),
      ...row("verticesMoved", String(r.vertices_moved)),
      ...row("gaps", `${r.gaps.length} · ${fmtArea(gapArea)}`, r.gaps.length ? "warn" : ""),
      ...row("sharedWith", String(r.shared_with.length)),
    ),
  );
}

export const drawPanel: Panel = {
  id: "draw",
  label: "tabDraw",
  visible: () => true,
  render(app, el) {
    const body = h("div", { class: "draw" });
    el.append(body);
    const refusal = drawRefusal(app);
    if (refusal) {
      body.append(h("p", { class: "notice", id: "draw-refusal" }, refusal));
      return;
    }
    const me = app.me;
    const sel = app.selection;
    // Parent: the user's unit, or a unit one level above draw level that the user selected.
    const parentId = sel && sel.level === drawLevel(me)! - 1 ? sel.id : me.unit!.id;
    const status = h("div", { class: "status" });
    const reportBox = h("div", {});
    const list = h("ul", { class: "children" });
    let last: PreviewResult | null = null;
    let editing: UnitFeature | null = null;
    let parent: UnitFeature | null = null;
    let siblings: UnitFeature[] = [];

    const onGeometry = async (g: Polygon): Promise<void> => {
      if (!drawer?.session) return;
      status.textContent = t("previewing");
      try {
        last = await preview(drawer.session, g);
        status.textContent = "";
        const feats: Feature[] = [{ type: "Feature", properties: {}, geometry: last.geometry }];
        setOverlay(app, "preview", { type: "FeatureCollection", features: feats });
        const gaps: FeatureCollection = { type: "FeatureCollection", features: last.report.gaps.map((x) => ({ type: "Feature", properties: { area_m2: x.area_m2 }, geometry: x.geometry })) };
        setOverlay(app, "gaps", gaps);
        reportBox.replaceChildren(reportView(last));
        saveBtn.disabled = false;
      } catch (err) {
        last = null;
        status.textContent = "";
        reportBox.replaceChildren(h("p", { class: "error", id: "draw-error" }, (err as Error).message));
        showError(err);
      }
    };

    const start = async (target: UnitFeature | null): Promise<void> => {
      try {
        drawer ??= new Drawer(app);
        drawer.onGeometry = (g) => void onGeometry(g);
        editing = target;
        last = null;
        reportBox.replaceChildren();
        saveBtn.disabled = true;
        const full = target ? await api<UnitFeature>(`/api/units/${unitId(target)}/`) : null;
        await drawer.begin(parent!, siblings, full);
        status.textContent = t("drawHint");
        cancelBtn.hidden = false;
        saveBtn.hidden = false;
      } catch (err) {
        showError(err);
      }
    };

    const stop = (): void => {
      drawer?.end();
      last = null;
      status.textContent = "";
      reportBox.replaceChildren();
      cancelBtn.hidden = true;
      saveBtn.hidden = true;
    };

    const save = async (): Promise<void> => {
      const g = drawer?.currentGeometry();
      if (!g || !drawer?.session) return;
      const level = drawLevel(me)!;
      const fields = [{ name: "reason", label: t("reasonPrompt"), type: "textarea" as const, required: true }];
      if (!editing) {
        fields.unshift({ name: "kind", label: t("kindPrompt"), type: "select" as const, options: KINDS[level] ?? [], required: true } as never);
        fields.unshift({ name: "name", label: t("namePrompt"), type: "text" as const, required: true } as never);
      }
      const values = await form(editing ? t("drawReshape") : t("drawNew"), fields);
      if (!values) return;
      try {
        const saved = editing
          ? await api<UnitFeature>(`/api/units/${unitId(editing)}/`, { method: "PATCH", body: { geometry: g, reason: values.reason } })
          : await api<UnitFeature>("/api/units/", { method: "POST", body: { parent: drawer.session.parentId, name: values.name, kind: values.kind, geometry: g, reason: values.reason } });
        stop();
        toast(t("saved"));
        app.reloadTiles();
        const f = (saved as { feature?: UnitFeature }).feature ?? saved;
        const id = unitId(f);
        if (id) await app.select(id, level);
        await loadList();
      } catch (err) {
        reportBox.append(h("p", { class: "error", id: "draw-error" }, (err as Error).message));
        showError(err);
      }
    };

    const newBtn = h("button", { id: "draw-new", onclick: () => void start(null) }, t("drawNew"));
    const cancelBtn = h("button", { id: "draw-cancel", class: "secondary", hidden: true, onclick: stop }, t("drawCancel"));
    const saveBtn = h("button", { id: "draw-save", hidden: true, disabled: true, onclick: () => void save() }, t("drawSave"));

    const loadList = async (): Promise<void> => {
      [parent, siblings] = await Promise.all([api<UnitFeature>(`/api/units/${parentId}/`), listUnits({ parent: parentId })]);
      list.replaceChildren(
        ...siblings.map((s) =>
          h("li", { "data-unit-id": unitId(s) }, h("button", { class: "link", onclick: () => void start(s) }, `${s.properties!.name}`)),
        ),
      );
      parentName.textContent = `${parent.properties!.name}（${levelName(parent.properties!.level)}）→ ${levelName(drawLevel(me)!)}`;
    };
    const parentName = h("b", {});
    body.append(
      h("h3", {}, t("drawTitle")),
      h("p", {}, `${t("drawParent")}: `, parentName),
      h("div", { class: "buttons" }, newBtn, saveBtn, cancelBtn),
      status,
      reportBox,
      h("h4", {}, t("pickUnitToReshape")),
      list,
    );
    void loadList().catch(showError);
    // Leaving the tab ends the drawing session.
    const obs = new MutationObserver(() => {
      if (!body.isConnected) {
        stop();
        obs.disconnect();
      }
    });
    obs.observe(el, { childList: true });
  },
};
