// The steps after the roll's publication in one election: objections and their decisions, nominations
// and the formal candidate list (checked against the rules by the server), and the joint review.
import { api } from "../api";
import { h, showError, toast } from "../ui";
import { post, section, type Reload } from "./detail";
import { L, type Candidate, type ElectionDetail, type Objection, type Vetting, type Voter } from "./types";

export async function objectionsSection(e: ElectionDetail, reload: Reload): Promise<HTMLElement> {
  const rows = await api<Objection[]>(`/api/elections/${e.id}/objections/`);
  const box = section(L(`选民名单异议（受理至 ${e.deadlines.objections_until}，收到之日起 ${e.deadlines.decision_days} 日内决定）`,
    `Objections (until ${e.deadlines.objections_until}; decided within ${e.deadlines.decision_days} days)`), "el-objections");
  const decidable = e.actions.includes("objection");
  for (const o of rows) {
    const row = h("div", { class: `el-objection ${o.status}`, "data-id": String(o.id), "data-status": o.status },
      h("strong", {}, `${o.subject_name}（${o.kind_label}）`), h("div", {}, o.text),
      h("div", { class: "muted" }, `${o.objector_name}${o.via_app ? L("（民政易）", " (app)") : ""} · ${L("收到", "received")} ${o.received_on} · ${L("应于", "decide by")} ${o.decide_by}${L(" 前决定", "")}`),
      o.status !== "pending" ? h("div", { class: "el-decision-text" }, `${o.status_label}：${o.decision}${o.late ? L("（超期）", " (late)") : ""}`) : "");
    if (o.status === "pending" && decidable) {
      const decision = h("input", { type: "text", class: "el-decision", placeholder: L("处理决定及理由", "Decision and reason") });
      const extra: HTMLInputElement[] = [];
      let voter: () => Record<string, unknown> = () => ({});
      if (o.kind === "add") {
        const id = h("input", { type: "text", class: "el-obj-id", placeholder: L("身份证号（异议成立时登记）", "ID number") });
        const acceptance = h("input", { type: "text", class: "el-obj-acceptance", placeholder: L("非户籍：同意记录", "Non-户籍: assembly decision") });
        extra.push(id, acceptance);
        voter = () => ({ id_number: id.value, category: acceptance.value ? "resident_accepted" : "hukou_resident", acceptance: acceptance.value, residence_years: 1 });
      }
      const uphold = h("button", { type: "button", class: "el-decide-uphold" }, L("异议成立", "Uphold"));
      const dismiss = h("button", { type: "button", class: "secondary el-decide-dismiss" }, L("异议不成立", "Dismiss"));
      const decide = (upheld: boolean): void =>
        void post(`/api/elections/objections/${o.id}/decide/`, { upheld, decision: decision.value, voter: upheld ? voter() : undefined })
          .then(() => toast(L("已作出处理决定并通知异议人", "Decided; the objector is told"))).then(reload).catch(showError);
      uphold.addEventListener("click", () => decide(true));
      dismiss.addEventListener("click", () => decide(false));
      row.append(...extra, decision, uphold, dismiss);
    }
    box.append(row);
  }
  if (!rows.length) box.append(h("p", { class: "muted" }, L("暂无异议。", "No objections.")));
  if (decidable) {
    const subject = h("input", { type: "text", id: "el-obj-subject", placeholder: L("涉及人员", "Person concerned") });
    const kind = h("select", { id: "el-obj-kind" }, h("option", { value: "add" }, L("应列入而未列入", "Missing")), h("option", { value: "remove" }, L("不应列入而列入", "Should not be on it")));
    const who = h("input", { type: "text", id: "el-obj-objector", placeholder: L("异议人", "Objector") });
    const text = h("input", { type: "text", id: "el-obj-text", placeholder: L("异议内容", "Objection") });
    const btn = h("button", { type: "button", class: "secondary", id: "el-obj-file" }, L("登记异议", "Record"));
    btn.addEventListener("click", () => void post(`/api/elections/${e.id}/objections/`, { kind: kind.value, subject_name: subject.value, objector_name: who.value, text: text.value }).then(reload).catch(showError));
    box.append(h("details", {}, h("summary", {}, L("登记现场提出的异议", "Record an objection")), kind, subject, who, text, btn));
  }
  return box;
}

export async function candidatesSection(e: ElectionDetail, reload: Reload): Promise<HTMLElement> {
  const rows = await api<Candidate[]>(`/api/elections/${e.id}/candidates/`);
  const box = section(L("候选人", "Candidates"), "el-candidates");
  const canFormal = e.actions.includes("formal_list");
  const chosen = new Set(rows.filter((c) => c.status !== "nominated").map((c) => c.id));
  // Suggest the most nominated: seats + 1 per post (the rule: more candidates than seats).
  if (!chosen.size) {
    for (const p of e.posts) rows.filter((c) => c.post === p.kind).slice(0, p.seats + 1).forEach((c) => chosen.add(c.id));
  }
  box.append(h("table", { id: "el-candidate-table" }, ...rows.map((c) => {
    const tick = h("input", { type: "checkbox", class: "el-formal", checked: chosen.has(c.id), disabled: !canFormal, "data-candidate": String(c.id) });
    tick.addEventListener("change", () => (tick.checked ? chosen.add(c.id) : chosen.delete(c.id)));
    return h("tr", { "data-candidate": String(c.id), "data-status": c.status }, h("td", {}, tick), h("td", {}, c.post_label), h("td", {}, c.name),
      h("td", {}, c.gender), h("td", {}, `${c.nominations} ${L("票", "")}`), h("td", { class: "el-cstatus" }, c.status_label));
  })));
  if (e.actions.includes("nominate")) {
    const voters = await api<{ results: Voter[] }>(`/api/elections/${e.id}/voters/?limit=200`);
    const who = h("select", { id: "el-nominate-voter" }, ...voters.results.map((v) => h("option", { value: String(v.id) }, `${v.name}（${v.gender}）`)));
    const postSel = h("select", { id: "el-nominate-post" }, ...e.posts.map((p) => h("option", { value: p.kind }, p.label)));
    const count = h("input", { type: "number", id: "el-nominate-count", min: 1, value: 10 });
    const btn = h("button", { type: "button", class: "secondary", id: "el-nominate" }, L("登记提名", "Nominate"));
    btn.addEventListener("click", () => void post(`/api/elections/${e.id}/candidates/`, { voter: Number(who.value), post: postSel.value, nominations: Number(count.value) }).then(reload).catch(showError));
    box.append(h("div", { class: "el-nominate" }, postSel, who, count, btn));
  }
  const refusal = h("div", { class: "el-refusal", id: "el-formal-result" });
  if (canFormal && rows.length) {
    const btn = h("button", { type: "button", id: "el-formal-list" }, L("确定正式候选人", "Confirm the formal list"));
    btn.addEventListener("click", () => {
      refusal.textContent = "";
      post(`/api/elections/${e.id}/formal-list/`, { candidates: [...chosen] }).then(reload).catch((err: Error) => (refusal.textContent = err.message));
    });
    box.append(btn, refusal);
  }
  if (e.actions.includes("submit_review")) {
    const btn = h("button", { type: "button", id: "el-submit-review" }, L("提交候选人联审", "Send to the joint review"));
    btn.addEventListener("click", () => void post(`/api/elections/${e.id}/submit-review/`).then(reload).catch(showError));
    box.append(btn);
  }
  return box;
}

export async function vettingSection(e: ElectionDetail, reload: Reload): Promise<HTMLElement> {
  const rows = await api<Vetting[]>(`/api/elections/${e.id}/vettings/`);
  const answered = rows.filter((v) => v.passed !== null).length;
  const box = section(L(`候选人联审（已答复 ${answered}/${rows.length}）`, `Joint review (${answered}/${rows.length} answered)`), "el-vettings");
  box.dataset.answered = String(answered);
  box.dataset.total = String(rows.length);
  box.append(h("table", {}, ...rows.map((v) => {
    const status = v.passed === null ? L("待答复", "waiting") : v.passed ? L("通过", "pass") : `${L("不通过", "fail")}：${v.reason}`;
    const row = h("tr", { "data-vetting": String(v.id) }, h("td", {}, v.candidate_name), h("td", {}, `${v.department_unit}${v.department}`), h("td", { class: "el-vstatus" }, status));
    if (v.may_answer) {
      const reason = h("input", { type: "text", class: "el-vet-reason", placeholder: L("意见", "Reason") });
      const pass = h("button", { type: "button", class: "el-pass" }, L("通过", "Pass"));
      const fail = h("button", { type: "button", class: "secondary el-fail" }, L("不通过", "Fail"));
      const answer = (passed: boolean): void => void post(`/api/elections/vettings/${v.id}/answer/`, { passed, reason: reason.value }).then(reload).catch(showError);
      pass.addEventListener("click", () => answer(true));
      fail.addEventListener("click", () => answer(false));
      row.append(h("td", {}, reason, pass, fail));
    }
    return row;
  })));
  return box;
}
