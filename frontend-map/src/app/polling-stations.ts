// 民政易·社区端 › 投票日 › 投票站: the election's stations (中心会场, 投票站, 流动票箱) and which villager
// groups vote at each. A group votes at one station only (its voters' cards name that station); a
// station without groups takes any voter. The server refuses a group already taken, and a change
// once the group's cards are printed — the reason is shown as it says it.
import { h, showError, toast } from "../ui";
import { go, read, send } from "./core";
import { L } from "./polling-text";

interface Group {
  id: number;
  name: string;
  voters: number;
}

interface Station {
  id: number;
  kind: string;
  kind_label: string;
  name: string;
  groups: Array<{ id: number; name: string }>;
}

interface ElectionStations {
  id: number;
  unit: { name: string };
  round: string;
  stage: string;
  stations: Station[];
  groups: Group[];
  ungrouped: number;
}

const KINDS: Array<[string, string, string]> = [
  ["centre", "中心会场", "Central venue"],
  ["station", "投票站", "Polling station"],
  ["mobile", "流动票箱", "Mobile box"],
];

/** Checkboxes for the groups: those of ``mine`` ticked, those of other stations disabled with their station's name. */
function groupBoxes(e: ElectionStations, station: Station | null): { el: HTMLElement; chosen: () => number[] } {
  const owner = new Map<number, Station>();
  for (const s of e.stations) for (const g of s.groups) owner.set(g.id, s);
  const boxes = e.groups.map((g) => {
    const at = owner.get(g.id);
    const mine = station !== null && at?.id === station.id;
    const box = h("input", { type: "checkbox", value: g.id, checked: mine, disabled: Boolean(at && !mine), "data-group": g.id });
    return { box, label: h("label", { class: "inline" }, box, `${g.name}（${L(`${g.voters}人`, `${g.voters} voters`)}）`,
      at && !mine ? h("span", { class: "muted small" }, ` · ${at.name}`) : null) };
  });
  return {
    el: h("div", { class: "groups-pick" }, ...(boxes.length ? boxes.map((b) => b.label) : [h("p", { class: "muted" }, L("本村(社区)没有村(居)民小组。", "No groups in this community."))])),
    chosen: () => boxes.filter((b) => b.box.checked).map((b) => Number(b.box.value)),
  };
}

export async function stationsPage(view: HTMLElement, params: string[]): Promise<void> {
  const e = await read<ElectionStations>(`/api/polling/elections/${params[0]}/`);
  const again = (): void => go(`#/staff/stations/${e.id}`);
  const editable = e.stage === "polling";

  const list = e.stations.map((s) => {
    const pick = groupBoxes(e, s);
    const save = h("button", { type: "button", "data-save-groups": s.id }, L("保存小组", "Save groups"));
    save.addEventListener("click", async () => {
      try {
        await send(`/api/polling/stations/${s.id}/groups/`, { groups: pick.chosen() });
        toast(L("已保存", "Saved"));
        again();
      } catch (err) {
        showError(err);
      }
    });
    return h("section", { class: "stack", "data-station": s.id },
      h("h3", {}, `${s.kind_label} · ${s.name}`),
      h("p", { class: "station-groups" }, L("投票小组：", "Groups: "),
        s.groups.length ? s.groups.map((g) => g.name).join("、") : h("span", { class: "muted" }, L("不限（任何选民）", "any voter"))),
      editable ? h("details", {}, h("summary", {}, L("调整小组", "Change groups")), pick.el, save) : null);
  });

  // a new station
  const kind = h("select", { name: "kind" }, ...KINDS.map(([v, zh, en]) => h("option", { value: v }, L(zh, en))));
  const name = h("input", { name: "station_name", placeholder: L("名称，如 第二投票站", "Name"), maxlength: 50 });
  const pick = groupBoxes(e, null);
  const add = h("button", { type: "button", class: "primary", id: "add-station" }, L("设立投票站", "Add the station"));
  add.addEventListener("click", async () => {
    try {
      await send(`/api/polling/elections/${e.id}/stations/`, { kind: kind.value, name: name.value, groups: pick.chosen() });
      toast(L("已设立", "Added"));
      again();
    } catch (err) {
      showError(err);
    }
  });
  const form = h("section", { class: "stack", id: "new-station" }, h("h3", {}, L("设立投票站", "New station")),
    h("label", {}, L("类型", "Kind"), kind), h("label", {}, L("名称", "Name"), name),
    h("div", {}, h("p", { class: "muted small" }, L("在本站投票的小组（不选则任何选民均可）", "Groups voting here (none: any voter)")), pick.el), add);

  // which group goes where, at a glance
  const owner = new Map<number, string>();
  for (const s of e.stations) for (const g of s.groups) owner.set(g.id, s.name);
  const overview = h("section", { class: "stack", id: "group-stations" }, h("h3", {}, L("各小组投票地点", "Where each group votes")),
    h("dl", { class: "facts" }, ...e.groups.flatMap((g) => [
      h("dt", {}, g.name), h("dd", { "data-group-station": g.id }, owner.get(g.id) ?? L("任一投票站", "any station"))])),
    e.ungrouped ? h("p", { class: "muted small" }, L(`另有 ${e.ungrouped} 名选民未登记小组，可在任一投票站投票。`, `${e.ungrouped} voters have no group and may vote at any station.`)) : null);

  view.append(h("div", { class: "pad" }, h("h2", {}, L(`${e.unit.name} · 投票站`, `${e.unit.name} · stations`)),
    editable ? null : h("p", { class: "muted" }, L("投票选举阶段才能设立或调整投票站。", "Stations are set up in the polling stage."))),
  ...list, overview, ...(editable ? [form] : []));
}
