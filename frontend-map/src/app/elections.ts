// 民政易 › 选举 (residents): my community's committee election once its roll is published — the
// announcement with the roll, the objection window and its rule, an objection form, and my objections
// with the committee's decision (the decision also arrives as a message).
import { h, showError, toast } from "../ui";
import { go, read, route, send } from "./core";
import { L } from "./polling-text";

interface MyObjection {
  id: number;
  kind_label: string;
  subject_name: string;
  text: string;
  received_on: string;
  decide_by: string;
  status: string;
  status_label: string;
  decision: string;
}

interface AppElection {
  id: number;
  unit_name: string;
  round: string;
  body_label: string;
  election_day: string;
  stage_label: string;
  roll_post: number | null;
  objections_until: string;
  objection_rule: string;
  objections_open: boolean;
  my_objections: MyObjection[];
}

function objectionForm(e: AppElection): HTMLElement {
  const kind = h("select", { name: "kind", id: "obj-kind" },
    h("option", { value: "add" }, L("应列入而未列入（漏登）", "Missing from the roll")),
    h("option", { value: "remove" }, L("不应列入而列入", "Should not be on the roll")));
  const subject = h("input", { type: "text", name: "subject_name", id: "obj-subject", placeholder: L("涉及人员姓名", "Name of the person") });
  const text = h("textarea", { name: "text", id: "obj-text", rows: 4, placeholder: L("异议内容及理由", "Your objection and why") });
  const submit = h("button", { type: "submit", id: "obj-submit" }, L("提交异议", "Submit"));
  const form = h("form", { class: "pad obj-form", id: "objection-form" },
    h("label", {}, L("异议类型", "Kind"), kind), h("label", {}, L("涉及人员", "Person"), subject), h("label", {}, L("异议内容", "Objection"), text), submit);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    send(`/api/elections/app/${e.id}/objections/`, { kind: kind.value, subject_name: subject.value, text: text.value })
      .then(() => {
        toast(L("异议已提交，选举委员会将在规定期限内作出处理决定", "Submitted; the committee will decide within the deadline"));
        go(`#/elections/${e.id}`);
      })
      .catch((err) => {
        submit.disabled = false;
        showError(err);
      });
  });
  return form;
}

async function electionsPage(view: HTMLElement, params: string[]): Promise<void> {
  const list = await read<AppElection[]>("/api/elections/app/");
  if (!list.length) {
    view.append(h("p", { class: "pad muted", id: "elections-empty" }, L("本村(社区)暂无已公布选民名单的换届选举。", "No published roll in your community.")));
    return;
  }
  const wanted = params[0] ? Number(params[0]) : list[0].id;
  const e = list.find((x) => x.id === wanted) ?? list[0];
  view.append(
    h("section", { class: "pad", id: "election-card", "data-election-id": String(e.id) },
      h("h2", {}, `${e.unit_name}${e.round}年${e.body_label}换届选举`),
      h("div", {}, `${L("选举日", "Election day")}：${e.election_day}`),
      h("div", {}, `${L("当前阶段", "Stage")}：${e.stage_label}`),
      e.roll_post ? h("a", { class: "button", href: `#/post/${e.roll_post}`, id: "roll-link" }, L("查看选民名单公告 ›", "The roll ›")) : "",
      h("p", { class: "muted small" }, `${L("对选民名单有异议的，可在", "Objections until ")}${e.objections_until}${L(" 前提出", "")}（${e.objection_rule}）`)),
    e.objections_open ? objectionForm(e) : h("p", { class: "pad muted" }, L("异议受理已结束。", "Objections are closed.")),
    h("section", { class: "pad", id: "my-objections" }, h("h2", {}, L("我的异议", "My objections")),
      ...(e.my_objections.length ? e.my_objections.map((o) =>
        h("div", { class: "card obj-card", "data-status": o.status },
          h("div", { class: "card-title" }, `${o.subject_name}（${o.kind_label}）`),
          h("div", { class: "card-summary" }, o.text),
          h("div", { class: "card-meta" }, `${o.status_label} · ${L("收到", "received")} ${o.received_on} · ${L("应于", "decided by")} ${o.decide_by}`),
          o.decision ? h("div", { class: "obj-decision" }, `${L("处理决定", "Decision")}：${o.decision}`) : "")) : [h("p", { class: "muted" }, L("暂无", "None"))])),
  );
}

export function registerElectionRoutes(): void {
  route(/^\/elections(?:\/(\d+))?$/, electionsPage);
}
