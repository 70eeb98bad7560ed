// The "选举" tab of the map client: the elections of my jurisdiction with their stage (and the map layer
// coloured by stage beside the list), a new election for a community's clerk, the progress report as
// a background job for towns and the district, and one election's details (detail.ts).
import { api } from "../api";
import { watchJob } from "../common/jobs";
import type { App } from "../app";
import type { Panel } from "../panels";
import { h, showError, toast } from "../ui";
import { renderDetail } from "./detail";
import { showStageLayer } from "./layer";
import { L, type ElectionDetail, type Meta, type Supervision } from "./types";

const ROUND = "2026";

function isoIn(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

function createForm(app: App, el: HTMLElement, meta: Meta, done: (e: ElectionDetail) => void): HTMLElement {
  const village = app.me.unit?.code && app.me.unit.level === 3;
  const day = h("input", { type: "date", id: "el-day", value: isoIn(40) });
  const mode = h("select", { id: "el-mode" }, ...meta.modes.map((m) => h("option", { value: m.value }, m.label)));
  const deputies = h("input", { type: "number", id: "el-deputies", value: 1, min: 0, max: 3 });
  const members = h("input", { type: "number", id: "el-members", value: 3, min: 1, max: 7 });
  const committee = h("input", { type: "text", id: "el-committee", placeholder: L("主任：张三；委员：李四", "Chair: …; member: …") });
  const roll = h("input", { type: "date", id: "el-roll-date" });
  const out = h("div", { class: "el-refusal", id: "el-create-result" });
  const submit = h("button", { type: "button", id: "el-create" }, L("创建选举", "Create"));
  submit.addEventListener("click", () => {
    const body: Record<string, unknown> = {
      round: ROUND, election_day: day.value, mode: mode.value,
      posts: { director: 1, deputy: Number(deputies.value), member: Number(members.value) },
      committee: committee.value.split(/[；;]/).map((p) => p.trim()).filter(Boolean).map((p) => {
        const [role, name] = p.includes("：") ? p.split("：") : ["委员", p];
        return { role, name };
      }),
    };
    if (roll.value) body.plan = { roll_published: roll.value };
    out.textContent = "";
    api<ElectionDetail>("/api/elections/", { method: "POST", body })
      .then((e) => {
        toast(L("已创建换届选举", "Election created"));
        done(e);
      })
      .catch((err: Error) => (out.textContent = err.message));
  });
  if (!village) return h("div");
  void el;
  return h(
    "details",
    { class: "el-new", id: "el-new" },
    h("summary", {}, L(`新建 ${ROUND} 年换届选举`, `New ${ROUND} election`)),
    h("label", {}, L("选举日", "Election day"), day),
    h("label", {}, L("选举方式", "Mode"), mode),
    h("label", {}, L("副主任职数", "Deputies"), deputies),
    h("label", {}, L("委员职数", "Members"), members),
    h("label", {}, L("选举委员会成员", "Election committee"), committee),
    h("label", {}, L("选民名单公布日（可选，默认最迟合法日）", "Roll publication day (optional)"), roll),
    submit,
    out,
  );
}

async function renderList(app: App, el: HTMLElement): Promise<void> {
  const [meta, sup] = await Promise.all([api<Meta>("/api/elections/meta/"), api<Supervision>(`/api/elections/supervision/?round=${ROUND}`)]);
  const open = (id: number): void => {
    el.replaceChildren();
    void renderDetail(app, el, id, () => void renderList(app, el).catch(showError)).catch(showError);
  };
  el.replaceChildren();
  el.append(h("h3", {}, L(`${ROUND} 年村(居)委会换届选举`, `${ROUND} committee elections`)));
  const s = sup.summary;
  el.append(
    h("div", { class: "el-summary", id: "el-summary" },
      `${L("选举", "Elections")} ${s.elections} · ${L("异常暂停", "stopped")} ${s.stopped} · ${L("存在风险", "at risk")} ${s.at_risk} · ${L("选民", "voters")} ${s.voters}`),
    h("div", { class: "el-stages" }, ...s.by_stage.filter((b) => b.count).map((b) =>
      h("span", { class: "el-chip", style: `background:${b.colour}` }, `${b.label} ${b.count}`))),
  );
  const mapBtn = h("button", { type: "button", class: "secondary", id: "el-show-map" }, L("在地图上按阶段着色", "Colour the map by stage"));
  mapBtn.addEventListener("click", () => showStageLayer(true));
  el.append(mapBtn);
  if (app.me.unit && app.me.unit.level <= 2) {
    const job = h("div", { id: "el-report-job" });
    const rep = h("button", { type: "button", class: "secondary", id: "el-report" }, L("导出进度报表（Excel）", "Progress report (xlsx)"));
    rep.addEventListener("click", () => {
      api<{ id: number }>("/api/jobs/", { method: "POST", body: { kind: "elections.report", params: { unit: app.me.unit!.id, round: ROUND } } })
        .then((j) => watchJob(j.id, job))
        .catch(showError);
    });
    el.append(rep, job);
  }
  el.append(createForm(app, el, meta, (e) => open(e.id)));
  const rows = sup.elections.map((r) => {
    const row = h(
      "li",
      { class: `el-row${r.stopped ? " stopped" : ""}`, "data-election-id": String(r.id), "data-stage": r.stage },
      h("span", { class: "el-dot", style: `background:${r.colour}` }),
      h("strong", {}, r.unit_name),
      h("span", { class: "el-stage" }, r.stopped ? `${r.stage_label}（${L("异常暂停", "stopped")}）` : r.stage_label),
      h("span", { class: "muted" }, `${r.election_day} · ${L("选民", "voters")} ${r.voters}`),
      ...r.risks.map((x) => h("div", { class: "el-risk" }, x)),
    );
    row.addEventListener("click", () => open(r.id));
    return row;
  });
  el.append(rows.length ? h("ul", { class: "el-list", id: "el-list" }, ...rows) : h("p", { class: "muted" }, L("暂无选举。", "No elections yet.")));
}

export const electionsPanel: Panel = {
  id: "elections",
  label: "tabElections",
  visible: (app) => app.me.capabilities.staff,
  render(app, el) {
    const box = h("div", { class: "elections" });
    el.append(box);
    void renderList(app, box).catch(showError);
  },
};
