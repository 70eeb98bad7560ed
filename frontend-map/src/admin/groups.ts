// 村(居)民小组: the groups of a village or community (its level-4 units) and each group's leader
// (组长), kept among the committee's members as the post "<小组名称>组长".
import { api } from "../api";
import type { App } from "../app";
import { h, showError, toast } from "../ui";
import { L, modalForm, type Page } from "../population/common";

interface Committee {
  id: number;
  members: Array<{ name: string; post: string }>;
}

export function mountGroups(app: App, el: HTMLElement): void {
  const unit = app.me.unit!;
  const list = h("div", { id: "groups-list" });
  el.append(h("p", { class: "muted" }, L("小组的范围在“绘制”中修改；组长记入村(居)委会成员。", "Group boundaries are drawn under Draw; leaders are kept with the committee's members.")), list);
  const load = async (): Promise<void> => {
    const [fc, committees] = await Promise.all([
      api<{ features: Array<{ id: number; properties: { id: number; name: string; code: string; kind: string } }> }>(`/api/units/?parent=${unit.id}&level=4&geometry=false&page_size=500`),
      api<Page<Committee>>(`/api/committees/?unit=${unit.id}`),
    ]);
    const committee = committees.results[0] ?? null;
    const leader = (name: string): string => committee?.members.find((m) => m.post === `${name}组长`)?.name ?? "";
    list.replaceChildren(...fc.features.map((f) => {
      const g = f.properties;
      return h("div", { class: "admin-row", "data-group-id": g.id },
        h("span", { class: "grow" }, h("b", {}, g.name), h("small", {}, ` ${g.code}`)),
        h("span", {}, `${L("组长", "Leader")}：${leader(g.name) || "–"}`),
        committee ? h("button", { type: "button", class: "secondary", "data-act": "leader", onclick: () => void setLeader(committee, g.name, leader(g.name)).catch(showError) }, L("设组长", "Set leader")) : null);
    }));
    if (!fc.features.length) list.append(h("p", { class: "muted" }, L("还没有小组。", "No groups yet.")));
  };
  const setLeader = async (c: Committee, group: string, current: string): Promise<void> => {
    const v = await modalForm("leader-dialog", L(`${group}组长`, `${group} leader`), [{ name: "name", label: L("姓名", "Name"), value: current }]);
    if (!v) return;
    const post = `${group}组长`;
    const members = c.members.filter((m) => m.post !== post);
    if (v.name) members.push({ post, name: v.name });
    await api(`/api/committees/${c.id}/`, { method: "PATCH", body: { members } });
    toast(L("已保存", "Saved"));
    await load();
  };
  void load().catch((err: Error) => list.replaceChildren(h("p", { class: "error" }, err.message)));
}
