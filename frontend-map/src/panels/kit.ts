// Sidebar tabs of the civic kit: the rules in force (everyone) and a unit's seals (who may manage them).
import { mountRules } from "../common/rules";
import { mountSeals } from "../common/seals";
import { t } from "../i18n";
import { h } from "../ui";
import type { Panel } from "./index";

export const rulesPanel: Panel = {
  id: "rules",
  label: "tabRules",
  visible: () => true,
  render(_app, el) {
    const box = h("div", {});
    el.append(h("h3", {}, t("rulesTitle")), box);
    mountRules(box);
  },
};

export const sealsPanel: Panel = {
  id: "seals",
  label: "tabSeals",
  visible: (app) => app.me.capabilities.seals && !!app.me.unit,
  render(app, el) {
    const box = h("div", {});
    el.append(box);
    // The selected village/community (or town) when it is one, else the user's own unit.
    const show = (): void => {
      const f = app.selection?.feature;
      const sel = f && app.selection!.level <= 3 ? { id: app.selection!.id, name: String(f.properties?.name ?? "") } : null;
      mountSeals(box, sel ?? { id: app.me.unit!.id, name: app.me.unit!.name });
    };
    show();
    app.on("select", () => {
      if (app.selection?.feature || !app.selection) show();
    }, box);
  },
};
