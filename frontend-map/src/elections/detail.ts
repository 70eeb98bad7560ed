// One election in the "选举" tab: stage and calendar with the statutory deadlines, exceptions, and the
// step of the current stage — registration (import from the pool with who is out and why, workbook,
// add/remove), the roll's publication after review, objections, nominations and the formal list, the
// joint review — and the timeline. Every button is offered from the server's list of actions.
import { api } from "../api";
import { watchJob } from "../common/jobs";
import type { App } from "../app";
import { h, showError, toast } from "../ui";
import { candidatesSection, objectionsSection, vettingSection } from "./steps";
import { L, type Conflict, type ElectionDetail, type EventRow, type Meta, type Preview, type Voter } from "./types";

export type Reload = () => void;

export function section(title: string, id: string, ...children: Array<Node | string>): HTMLElement {
  return h("section", { class: "el-section", id }, h("h4", {}, title), ...children);
}

export function post<T>(url: string, body: unknown = {}): Promise<T> {
  return api<T>(url, { method: "POST", body });
}

function calendarTable(e: ElectionDetail): HTMLElement {
  return h(
    "table",
    { class: "el-calendar", id: "el-calendar" },
    h("tr", {}, h("th", {}, L("阶段", "Stage")), h("th", {}, L("计划", "Planned")), h("th", {}, L("法定期限", "Deadline"))),
    ...e.calendar.steps.filter((s) => s.planned || s.deadline).map((s) =>
      h("tr", { class: s.stage === e.stage ? "current" : "" }, h("td", {}, s.label), h("td", {}, s.planned ?? ""),
        h("td", { title: s.rules.map((r) => r.citation).join("\n") }, s.deadline ? `≤ ${s.deadline}` : ""))),
  );
}

function stopsSection(e: ElectionDetail, meta: Meta, reload: Reload): HTMLElement {
  const box = section(L("异常情况", "Exceptions"), "el-stops");
  for (const s of e.stops) {
    const row = h("div", { class: `el-stop${s.open ? " open" : ""}`, "data-stop": String(s.id) },
      h("strong", {}, `${s.kind_label}（${s.stage_label}）`), h("div", {}, s.reason), s.rule ? h("div", { class: "muted" }, `${L("依据", "Rule")}：${s.rule}`) : "",
      h("div", { class: "muted" }, s.open ? L("待镇街选举指导机构批准", "Waiting for the town") : `${L("已批准", "Authorised")}：${s.authorisation}（${s.authorised_by}）`));
    if (s.open && e.actions.includes("authorise")) {
      const reason = h("input", { type: "text", class: "el-auth-reason", placeholder: L("批准意见", "Reason") });
      const btn = h("button", { type: "button", class: "el-authorise" }, L("批准继续", "Authorise"));
      btn.addEventListener("click", () => void post(`/api/elections/stops/${s.id}/authorise/`, { reason: reason.value }).then(reload).catch(showError));
      row.append(reason, btn);
    }
    box.append(row);
  }
  if (e.actions.includes("stop")) {
    const kind = h("select", { id: "el-stop-kind" }, ...meta.stop_kinds.map((k) => h("option", { value: k.value }, k.label)));
    const reason = h("input", { type: "text", id: "el-stop-reason", placeholder: L("异常情况说明", "What happened") });
    const btn = h("button", { type: "button", class: "secondary", id: "el-report-stop" }, L("报告异常情况", "Report an exception"));
    btn.addEventListener("click", () => void post(`/api/elections/${e.id}/stops/`, { kind: kind.value, reason: reason.value }).then(reload).catch(showError));
    box.append(h("details", {}, h("summary", {}, L("报告异常情况", "Report an exception")), kind, reason, btn));
  }
  return box;
}

async function registration(e: ElectionDetail, reload: Reload): Promise<HTMLElement> {
  const box = section(L("选民登记", "Registration"), "el-registration");
  const preview = h("div", { id: "el-preview" });
  const job = h("div", { id: "el-job" });
  const btn = h("button", { type: "button", id: "el-pool-preview" }, L("人口库导入", "Import from the population pool"));
  btn.addEventListener("click", () => {
    api<Preview>(`/api/elections/${e.id}/pool-preview/`).then((p) => {
      const confirm = h("button", { type: "button", id: "el-pool-import" }, L(`确认导入 ${p.eligible} 人`, `Register ${p.eligible}`));
      const skip = new Set<number>();
      confirm.addEventListener("click", () => {
        confirm.disabled = true;
        post<{ job: number }>(`/api/elections/${e.id}/import-pool/`, { skip: [...skip] })
          .then((r) => watchJob(r.job, job)).then(reload).catch(showError);
      });
      preview.replaceChildren(
        h("div", { class: "el-preview-counts" }, L(`人口库 ${p.pool} 人：符合条件 ${p.eligible} 人，不符合 ${p.excluded} 人，已在本名单 ${p.already_on_roll} 人`,
          `Pool ${p.pool}: eligible ${p.eligible}, excluded ${p.excluded}, already on the roll ${p.already_on_roll}`)),
        h("ul", { class: "el-reasons" }, ...p.reasons.map((r) => h("li", {}, `${r.reason}：${r.count}`))),
        h("details", { open: true }, h("summary", {}, L("未列入人员及原因", "Excluded, and why")),
          h("table", { class: "el-excluded" }, ...p.excluded_people.map((x) =>
            h("tr", { "data-person": String(x.person) }, h("td", {}, x.name), h("td", {}, `${x.gender} ${x.age}岁`), h("td", { class: "el-reason" }, x.reasons.join("；")))))),
        h("details", {}, h("summary", {}, L("将登记的人员（可取消勾选）", "To be registered (untick to leave out)")),
          h("table", { class: "el-eligible" }, ...p.eligible_people.map((x) => {
            const box = h("input", { type: "checkbox", checked: true, "data-person": String(x.person) });
            box.addEventListener("change", () => (box.checked ? skip.delete(x.person) : skip.add(x.person)));
            return h("tr", {}, h("td", {}, box), h("td", {}, x.name), h("td", {}, `${x.gender} ${x.age}岁`), h("td", {}, x.id_masked));
          }))),
        h("p", { class: "muted" }, p.note),
        confirm,
      );
    }).catch(showError);
  });
  const file = h("input", { type: "file", id: "el-excel-file", accept: ".xlsx" });
  const excel = h("button", { type: "button", class: "secondary", id: "el-excel-import" }, L("Excel表导入", "Import a workbook"));
  excel.addEventListener("click", () => {
    const f = file.files?.[0];
    if (!f) return toast(L("请选择 Excel 文件", "Choose a workbook"), "error");
    const form = new FormData();
    form.append("file", f);
    api<{ job: number }>(`/api/elections/${e.id}/import-excel/`, { method: "POST", body: form })
      .then((r) => watchJob(r.job, job)).then(reload).catch(showError);
  });
  const id = h("input", { type: "text", id: "el-add-id", placeholder: L("身份证号", "ID number") });
  const name = h("input", { type: "text", id: "el-add-name", placeholder: L("姓名", "Name") });
  const category = h("select", { id: "el-add-category" },
    h("option", { value: "hukou_resident" }, L("户籍居住", "Registered, resident")), h("option", { value: "hukou_away" }, L("户籍外出（本人表示参加）", "Registered, living elsewhere")),
    h("option", { value: "resident_accepted" }, L("非户籍居住（经同意）", "Resident accepted by the assembly")));
  const acceptance = h("input", { type: "text", id: "el-add-acceptance", placeholder: L("村(居)民会议同意记录", "Assembly decision") });
  const reason = h("input", { type: "text", id: "el-add-reason", placeholder: L("登记理由", "Reason") });
  const add = h("button", { type: "button", class: "secondary", id: "el-add" }, L("添加选民", "Add"));
  add.addEventListener("click", () => void post(`/api/elections/${e.id}/voters/`, {
    id_number: id.value, name: name.value, category: category.value, acceptance: acceptance.value, reason: reason.value, residence_years: 1,
  }).then(reload).catch(showError));
  const submit = h("button", { type: "button", id: "el-submit-roll" }, L("提交选民名单审核并公布", "Submit the roll for review"));
  submit.addEventListener("click", () => {
    submit.disabled = true;
    post<{ job: number }>(`/api/elections/${e.id}/submit-roll/`).then((r) => watchJob(r.job, job)).then(reload).catch((err) => {
      submit.disabled = false;
      showError(err);
    });
  });
  box.append(btn, preview, h("div", { class: "el-row-inline" }, file, excel), h("details", {}, h("summary", {}, L("添加选民", "Add a voter")), id, name, category, acceptance, reason, add), submit, job);
  return box;
}

async function rollSection(e: ElectionDetail, reload: Reload): Promise<HTMLElement> {
  const [voters, conflicts] = await Promise.all([
    api<{ results: Voter[]; more: boolean }>(`/api/elections/${e.id}/voters/?limit=100`),
    api<Conflict[]>(`/api/elections/${e.id}/conflicts/`),
  ]);
  const c = e.counts;
  const box = section(L(`选民名单（${c.total} 人：男 ${c.male}，女 ${c.female}）`, `Roll (${c.total}: ${c.male} men, ${c.female} women)`), "el-roll");
  box.dataset.total = String(c.total);
  box.append(h("div", { class: "muted" }, c.groups.map((g) => `${g.name} ${g.total}（男 ${g.male} 女 ${g.female}）`).join("；")));
  if (e.roll_document_url) box.append(h("a", { href: e.roll_document_url, target: "_blank", id: "el-roll-pdf" }, L("选民名单（PDF，盖选举委员会章）", "The roll (PDF)")));
  if (conflicts.length) {
    box.append(h("div", { class: "el-conflicts", id: "el-conflicts" }, h("strong", {}, L("重复登记提示（一人只能在一地登记）", "On another roll (one roll per person)")),
      ...conflicts.map((x) => h("div", { class: "el-conflict" }, `${x.name}（${x.id_masked}）${L("已在", " is on the roll of ")}${x.other_community}${L("的选民名单上，未登记", "; not registered")}`))));
  }
  const removable = e.actions.includes("remove_voter");
  box.append(h("table", { class: "el-voters", id: "el-voters" }, ...voters.results.map((v) => {
    const row = h("tr", { "data-voter": String(v.id) }, h("td", {}, v.name), h("td", {}, v.gender), h("td", {}, v.id_masked), h("td", {}, v.group_name), h("td", { class: "muted" }, v.source));
    if (removable) {
      const rm = h("button", { type: "button", class: "link el-remove" }, L("移除", "Remove"));
      rm.addEventListener("click", () => {
        const why = prompt(L("移除理由", "Reason for removal"));
        if (why) void post(`/api/elections/voters/${v.id}/remove/`, { reason: why }).then(reload).catch(showError);
      });
      row.append(h("td", {}, rm));
    }
    return row;
  })));
  if (voters.more) box.append(h("div", { class: "muted" }, L("仅显示前 100 人", "First 100 shown")));
  return box;
}

async function timeline(e: ElectionDetail): Promise<HTMLElement> {
  const events = await api<EventRow[]>(`/api/elections/${e.id}/timeline/`);
  return section(L("选举进程", "Timeline"), "el-timeline", h("ol", {}, ...events.map((ev) =>
    h("li", {}, h("span", { class: "muted" }, `${ev.at.slice(0, 16).replace("T", " ")} ${ev.actor} · `), ev.text, ev.rule ? h("span", { class: "muted" }, `（${ev.rule}）`) : ""))));
}

const NEXT: Record<string, string> = { roll_published: "nomination", joint_review: "polling", polling: "counting", counting: "results", results: "handover", handover: "archived" };

export async function renderDetail(app: App, el: HTMLElement, id: number, back: () => void): Promise<void> {
  const [e, meta] = await Promise.all([api<ElectionDetail>(`/api/elections/${id}/`), api<Meta>("/api/elections/meta/")]);
  const reload: Reload = () => void renderDetail(app, el, id, back).catch(showError);
  const backBtn = h("button", { type: "button", class: "link", id: "el-back" }, L("‹ 返回列表", "‹ All elections"));
  backBtn.addEventListener("click", back);
  const head = h("div", { class: "el-head", id: "el-detail", "data-stage": e.stage, "data-stopped": String(e.stopped), "data-election-id": String(e.id) },
    h("h3", {}, `${e.unit_name} ${e.round}年${e.body_label}换届选举`),
    h("div", {}, h("span", { class: "el-chip", style: `background:${e.colour}`, id: "el-stage" }, e.stage_label), e.stopped ? h("span", { class: "el-stopped" }, L(" 异常暂停：须镇街选举指导机构批准", " Stopped: the town must authorise")) : ""),
    h("div", { class: "muted" }, `${L("选举日", "Election day")} ${e.election_day} · ${e.mode_label} · ${e.posts.map((p) => `${p.label}${p.seats}`).join("、")} · ${L("规则", "Rules")} ${e.rule_set}（${e.rule_version}）`),
    h("div", { class: "muted" }, `${L("选民名单最迟公布", "Roll due by")} ${e.deadlines.roll_publish_by}${e.deadlines.roll_published_on ? ` · ${L("已公布", "published")} ${e.deadlines.roll_published_on} · ${L("异议受理至", "objections until")} ${e.deadlines.objections_until}` : ""}`),
  );
  const parts: HTMLElement[] = [backBtn, head, calendarTable(e), stopsSection(e, meta, reload)];
  if (e.actions.includes("import")) parts.push(await registration(e, reload));
  if (e.stage === "roll_review") parts.push(section(L("选民名单审核", "Roll under review"), "el-review", L("选民名单公告已提交，待本村(社区)审核员在民政易社区端审核发布。", "The announcement waits for the reviewer in 民政易.")));
  parts.push(await rollSection(e, reload));
  if (["roll_published", "nomination", "candidates", "joint_review", "polling"].includes(e.stage)) parts.push(await objectionsSection(e, reload));
  if (["nomination", "candidates", "joint_review", "polling", "counting", "results", "handover", "archived"].includes(e.stage)) parts.push(await candidatesSection(e, reload));
  if (["joint_review", "polling", "counting", "results", "handover", "archived"].includes(e.stage)) parts.push(await vettingSection(e, reload));
  const next = NEXT[e.stage];
  if (next && e.actions.includes("advance")) {
    const label = meta.stages.find((s) => s.value === next)?.label ?? next;
    const adv = h("button", { type: "button", id: "el-advance", "data-to": next }, L(`进入下一阶段：${label}`, `Next stage: ${label}`));
    adv.addEventListener("click", () => void post(`/api/elections/${e.id}/advance/`, { to: next }).then(reload).catch(showError));
    parts.push(adv);
  }
  parts.push(await timeline(e));
  el.replaceChildren(...parts);
}
