// 民政易·社区端: writing a post (with images and PDF/Excel files), my drafts, the review queue,
// one post's review page (actions, timeline), binding confirmations and the 村务公开 cadence list.
import { startJob, watchJob } from "../common/jobs";
import { h, showError, toast } from "../ui";
import { fmtDate, go, read, route, send, state, upload } from "./core";
import { tr, type AppKey } from "./i18n";
import { categoryLabel, meta, type FeedItem, type UnitBrief } from "./reader";

interface Event {
  id: number;
  action: string;
  from: string;
  to: string;
  actor: string;
  at: string;
  reason: string;
  details: Record<string, unknown>;
}

interface Managed extends FeedItem {
  state: string;
  state_label: string;
  escalation: string;
  escalation_unit: UnitBrief | null;
  review_unit: UnitBrief | null;
  author: string;
  flagged_words: string[];
  rejection_reason: string;
  withdrawal_reason: string;
  escalation_reason: string;
  publish_at: string | null;
  actions: string[];
  body?: string;
  attachments?: Array<{ id: number; kind: string; name: string; url: string }>;
  timeline?: Event[];
}

const ACTION_LABEL: Record<string, AppKey> = {
  submit: "actSubmit",
  approve: "actApprove",
  reject: "actReject",
  withdraw: "actWithdraw",
  escalate: "actEscalate",
  approve_escalation: "actApproveEscalation",
  reject_escalation: "actRejectEscalation",
};
const NEEDS_REASON = new Set(["reject", "withdraw", "reject_escalation"]);
const EVENT_LABEL: Record<string, string> = {
  create: "创建草稿",
  submit: "提交审核",
  approve: "审核通过",
  reject: "退回",
  publish: "发布",
  withdraw: "撤回",
  escalate: "上报上级",
  approve_escalation: "上级审核通过，扩大可见范围",
  reject_escalation: "上级未通过上报",
};

// -- writing ----------------------------------------------------------------------------------
async function write(view: HTMLElement, params: string[]): Promise<void> {
  const m = await meta();
  const existing = params[0] ? await read<Managed>(`/api/publication/posts/${params[0]}/`) : null;
  const channel = h("select", { name: "channel" }, ...m.channels.map((c) => h("option", { value: c.id }, c.label)));
  const column = h("select", { name: "column" }, ...m.columns.map((c) => h("option", { value: c.id }, c.label)));
  const category = h("select", { name: "category" }, ...m.categories.map((c) => h("option", { value: c.id }, c.label)));
  const title = h("input", { name: "title", required: true, maxlength: 120 });
  const body = h("textarea", { name: "body", rows: 8 });
  const images = h("input", { name: "images", type: "file", accept: "image/jpeg,image/png,image/webp,image/gif", multiple: true });
  const files = h("input", { name: "files", type: "file", accept: ".pdf,.xlsx,application/pdf", multiple: true });
  const publishAt = h("input", { name: "publish_at", type: "datetime-local" });
  const pinned = h("input", { name: "pinned", type: "checkbox" });
  const major = h("input", { name: "major", type: "checkbox" });
  const columnRow = h("label", {}, tr("column"), column);
  const categoryRow = h("label", {}, tr("category"), category);
  const sync = (): void => {
    columnRow.hidden = channel.value !== "headline";
    categoryRow.hidden = channel.value !== "affairs";
  };
  channel.addEventListener("change", sync);
  if (existing) {
    channel.value = existing.channel;
    column.value = existing.column || "news";
    category.value = existing.category || "party";
    title.value = existing.title;
    body.value = (existing.body ?? "").replace(/<\/p>\s*<p>/g, "\n").replace(/<[^>]+>/g, "");
    pinned.checked = existing.pinned;
    major.checked = existing.major;
  } else {
    column.value = "updates";
  }
  sync();
  const status = h("p", { class: "muted", id: "write-status" });
  const save = async (submit: boolean): Promise<void> => {
    const data: Record<string, unknown> = {
      channel: channel.value,
      column: channel.value === "headline" ? column.value : "",
      category: channel.value === "affairs" ? category.value : "",
      title: title.value.trim(),
      body: body.value,
      pinned: pinned.checked,
      major: major.checked,
      publish_at: publishAt.value ? new Date(publishAt.value).toISOString() : null,
    };
    status.textContent = "…";
    const post = existing ? await send<Managed>(`/api/publication/posts/${existing.id}/`, data, "PATCH") : await send<Managed>("/api/publication/posts/", data);
    for (const f of [...(images.files ?? []), ...(files.files ?? [])]) {
      status.textContent = `${f.name} …`;
      const form = new FormData();
      form.append("file", f, f.name);
      await upload(`/api/publication/posts/${post.id}/attachments/`, form);
    }
    if (submit) await send(`/api/publication/posts/${post.id}/actions/submit/`, {});
    toast(submit ? tr("done") : tr("saved"));
    go(`#/staff/post/${post.id}`);
  };
  const form = h(
    "form",
    { class: "stack write", id: "write-form" },
    h("label", {}, tr("channel"), channel),
    columnRow,
    categoryRow,
    h("label", {}, tr("title"), title),
    h("label", {}, tr("body"), body),
    h("label", {}, tr("cover"), images),
    h("label", {}, tr("files"), files),
    h("label", {}, tr("publishAt"), publishAt),
    h("label", { class: "inline" }, pinned, tr("pin")),
    h("label", { class: "inline" }, major, tr("major")),
    status,
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "button", class: "secondary", id: "save-draft", onclick: () => void save(false).catch((e) => ((status.textContent = ""), showError(e))) }, tr("saveDraft")),
      h("button", { type: "submit", class: "primary", id: "save-submit" }, tr("saveAndSubmit")),
    ),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!title.value.trim()) return;
    void save(true).catch((e) => ((status.textContent = ""), showError(e)));
  });
  view.append(form);
}

// -- lists --------------------------------------------------------------------------------------
function row(p: Managed): HTMLElement {
  return h(
    "a",
    { class: "card", href: `#/staff/post/${p.id}`, "data-post-id": p.id },
    h(
      "div",
      { class: "card-body" },
      h("div", { class: "card-title" }, h("span", { class: `state ${p.state}` }, p.state_label), p.title),
      p.rejection_reason && p.state === "rejected" ? h("div", { class: "error" }, tr("rejectedBecause", { r: p.rejection_reason })) : null,
      p.flagged_words.length ? h("div", { class: "flagged" }, tr("flagged", { w: p.flagged_words.join("、") })) : null,
      h("div", { class: "card-meta" }, `${p.unit.name} · ${p.author} · ${tr("audience")}：${p.audience.name}${p.escalation === "pending" && p.escalation_unit ? ` → ${p.escalation_unit.name}` : ""}`),
    ),
  );
}

async function box(view: HTMLElement, name: string, heading: AppKey): Promise<void> {
  const list = h("div", { class: "list", id: `box-${name}` });
  view.append(h("h2", {}, tr(heading)), list);
  const page = await read<{ results: Managed[] }>(`/api/publication/posts/?box=${name}&limit=50`);
  list.replaceChildren(...(page.results.length ? page.results.map(row) : [h("p", { class: "muted pad empty" }, tr("empty"))]));
}

async function staffHome(view: HTMLElement): Promise<void> {
  const caps = state.me!.capabilities;
  const links: Array<[string, AppKey, boolean]> = [
    ["#/staff/write", "write", caps.write],
    ["#/staff/drafts", "drafts", caps.write],
    ["#/staff/mine", "myPosts", caps.write],
    ["#/staff/queue", "queue", caps.review],
    ["#/staff/claims", "claims", caps.write],
    ["#/staff/notice", "bulkNotice", caps.write],
    ["#/staff/cadence", "cadence", true],
    ["#/staff/polling", "polling", caps.write],
  ];
  view.append(h("div", { class: "menu" }, ...links.filter(([, , ok]) => ok).map(([href, label]) => h("a", { href, class: "menu-item", "data-menu": href }, tr(label), h("span", {}, "›")))));
}

// -- one post: review page ------------------------------------------------------------------------
async function manage(view: HTMLElement, params: string[]): Promise<void> {
  const m = await meta();
  const p = await read<Managed>(`/api/publication/posts/${params[0]}/`);
  const body = h("div", { class: "post-body" });
  body.innerHTML = p.body ?? ""; // sanitised on the server
  const kind = p.channel === "affairs" ? categoryLabel(m, p.category) : p.channel === "headline" ? (p.column === "news" ? tr("news") : tr("updates")) : tr("notice");
  const notes: Array<HTMLElement | null> = [
    p.state === "rejected" && p.rejection_reason ? h("p", { class: "error", id: "rejection" }, tr("rejectedBecause", { r: p.rejection_reason })) : null,
    p.state === "withdrawn" && p.withdrawal_reason ? h("p", { class: "error" }, tr("withdrawnBecause", { r: p.withdrawal_reason })) : null,
    p.escalation === "pending" && p.escalation_unit ? h("p", { class: "note" }, tr("escalationPending", { u: p.escalation_unit.name })) : null,
    p.escalation === "rejected" && p.escalation_reason ? h("p", { class: "error" }, tr("escalationRejected", { r: p.escalation_reason })) : null,
    p.flagged_words.length ? h("p", { class: "flagged", id: "flagged" }, tr("flagged", { w: p.flagged_words.join("、") })) : null,
  ];
  const actions = h(
    "div",
    { class: "buttons actions" },
    ...p.actions
      .filter((a) => a !== "edit")
      .map((a) => h("button", { type: "button", class: a.startsWith("reject") || a === "withdraw" ? "secondary" : "primary", "data-action": a, onclick: () => void act(p, a) }, tr(ACTION_LABEL[a] ?? "done"))),
    p.actions.includes("edit") ? h("a", { class: "button secondary", href: `#/staff/write/${p.id}`, "data-action": "edit" }, tr("actEdit")) : null,
    p.channel === "affairs" && p.state === "published" && (state.me?.capabilities.write || state.me?.capabilities.review)
      ? h("button", { type: "button", class: "secondary", id: "print-pdf", onclick: () => void printPdf(p, printed) }, tr("printPdf"))
      : null,
  );
  const printed = h("div", { id: "printed" });
  view.append(
    h(
      "article",
      { class: "post manage", "data-post-id": p.id, "data-state": p.state },
      h("div", {}, h("span", { class: `state ${p.state}`, id: "post-state" }, p.state_label), ` ${kind}`),
      h("h2", { class: "post-title" }, p.title),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, tr("audience")),
        h("dd", { id: "post-audience" }, p.audience.name),
        h("dt", {}, tr("reviewUnit")),
        h("dd", {}, p.review_unit?.name ?? "—"),
      ),
      ...notes,
      actions,
      printed,
      ...(p.attachments ?? []).filter((a) => a.kind === "image").map((a) => h("img", { class: "post-image", src: a.url, alt: a.name })),
      body,
      ...(p.attachments ?? []).filter((a) => a.kind !== "image").map((a) => h("a", { class: "file", href: a.url, target: "_blank" }, a.name)),
      h("h3", {}, tr("timeline")),
      h(
        "ol",
        { class: "timeline", id: "timeline" },
        ...(p.timeline ?? []).map((e) =>
          h(
            "li",
            { "data-action": e.action },
            h("strong", {}, EVENT_LABEL[e.action] ?? e.action),
            ` · ${e.actor} · ${fmtDate(e.at)}`,
            e.reason ? h("div", { class: "reason" }, `${tr("reason")}：${e.reason}`) : null,
            e.details.audience_unit ? h("div", { class: "muted" }, `${tr("audience")}：${String(e.details.audience_unit)}`) : null,
            e.details.to_unit ? h("div", { class: "muted" }, `→ ${String(e.details.to_unit)}`) : null,
          ),
        ),
      ),
    ),
  );
}

async function printPdf(p: Managed, el: HTMLElement): Promise<void> {
  el.replaceChildren(h("p", { class: "muted" }, "…"));
  try {
    const doc = await send<{ url: string; pages: number; title: string }>(`/api/publication/posts/${p.id}/print/`, {});
    el.replaceChildren(h("a", { class: "file", id: "printed-link", href: doc.url, target: "_blank" }, `PDF · ${doc.title}（${doc.pages} 页）`));
  } catch (err) {
    el.replaceChildren();
    showError(err);
  }
}

function askReason(): Promise<string | null> {
  const dlg = document.getElementById("dialog") as HTMLDialogElement;
  return new Promise((resolve) => {
    const input = h("textarea", { name: "reason", rows: 3, required: true });
    const frm = h(
      "form",
      { method: "dialog", class: "stack", id: "reason-form" },
      h("h3", {}, tr("reasonPrompt")),
      input,
      h(
        "div",
        { class: "buttons" },
        h("button", { type: "button", class: "secondary", onclick: () => (dlg.close(), resolve(null)) }, tr("cancel")),
        h("button", { type: "submit", class: "primary", id: "reason-ok" }, tr("confirm")),
      ),
    );
    frm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (!input.value.trim()) return;
      dlg.close();
      resolve(input.value.trim());
    });
    dlg.replaceChildren(frm);
    dlg.showModal();
    input.focus();
  });
}

async function act(p: Managed, action: string): Promise<void> {
  let reason = "";
  if (NEEDS_REASON.has(action)) {
    const got = await askReason();
    if (got === null) return;
    reason = got;
  }
  try {
    await send(`/api/publication/posts/${p.id}/actions/${action}/`, { reason });
    toast(tr("done"));
  } catch (err) {
    showError(err);
  }
  go(`#/staff/post/${p.id}`);
}

// -- binding confirmations ---------------------------------------------------------------------------
interface Claim {
  id: number;
  community: UnitBrief;
  name: string;
  account: string;
  created_at: string;
  matched: boolean;
  person: { name: string; id_masked: string; phone_masked: string } | null;
  may_decide: boolean;
}

async function claims(view: HTMLElement): Promise<void> {
  const list = h("div", { class: "list", id: "claims" });
  view.append(h("h2", {}, tr("claims")), list);
  const rows = await read<Claim[]>("/api/residents/claims/");
  const decide = async (c: Claim, decision: "confirm" | "reject"): Promise<void> => {
    const reason = decision === "reject" ? await askReason() : "";
    if (reason === null) return;
    try {
      await send(`/api/residents/claims/${c.id}/${decision}/`, { reason });
      toast(tr("done"));
    } catch (err) {
      showError(err);
    }
    go("#/staff/claims");
  };
  list.replaceChildren(
    ...(rows.length
      ? rows.map((c) =>
          h(
            "div",
            { class: "card claim", "data-claim-id": c.id },
            h(
              "div",
              { class: "card-body" },
              h("div", { class: "card-title" }, `${c.name}（${c.account}）→ ${c.community.name}`),
              h("div", { class: c.matched ? "ok" : "error" }, c.person ? tr("matched", { p: `${c.person.name} ${c.person.id_masked} ${c.person.phone_masked}` }) : tr("notMatched")),
              h("div", { class: "card-meta" }, fmtDate(c.created_at)),
              c.may_decide
                ? h(
                    "div",
                    { class: "buttons" },
                    h("button", { type: "button", class: "primary", "data-decision": "confirm", disabled: !c.matched, onclick: () => void decide(c, "confirm") }, tr("confirm")),
                    h("button", { type: "button", class: "secondary", "data-decision": "reject", onclick: () => void decide(c, "reject") }, tr("reject")),
                  )
                : null,
            ),
          ),
        )
      : [h("p", { class: "muted pad empty" }, tr("noClaims"))]),
  );
}

// -- 村务公开 cadence (town supervisors: overdue villages) ----------------------------------------------
interface Cadence {
  rules: { citation: string; confirmed: boolean; rules: Array<{ id: string; title: string; value: number; unit: string; citation: string; note: string }> };
  villages: Array<{ unit: UnitBrief & { kind: string }; overdue: string[]; status: string; last_published: Record<string, string | null> }>;
  overdue_count: number;
}

async function cadence(view: HTMLElement): Promise<void> {
  const c = await read<Cadence>("/api/publication/cadence/");
  const ruleTitle = (id: string): string => c.rules.rules.find((r) => r.id === id)?.title ?? id;
  const unconfirmed = c.rules.confirmed ? "" : "（2026年施行的修正文本条号待核实）";
  view.append(
    h("h2", {}, tr("villagesOverdue", { n: c.overdue_count })),
    h(
      "div",
      { class: "rules", id: "cadence-rules" },
      ...c.rules.rules.map((r) => h("p", { "data-rule": r.id }, h("strong", {}, r.title), r.value ? `（${r.value}${r.unit}）` : "")),
      h("p", { class: "muted citation" }, `${tr("citation")}：${c.rules.citation}${unconfirmed}`),
    ),
    h(
      "div",
      { class: "list", id: "cadence-list" },
      ...c.villages.map((v) =>
        h(
          "div",
          { class: `card cadence ${v.status}`, "data-unit-id": v.unit.id },
          h(
            "div",
            { class: "card-body" },
            h("div", { class: "card-title" }, h("span", { class: `state ${v.status === "overdue" ? "rejected" : "published"}` }, v.status === "overdue" ? tr("overdue") : tr("ok")), v.unit.name),
            v.overdue.length ? h("div", { class: "error" }, v.overdue.map(ruleTitle).join("、")) : null,
            h("div", { class: "card-meta" }, `${tr("lastPublished")}：${fmtDate(v.last_published.general) || tr("never")}`),
          ),
        ),
      ),
    ),
  );
}

// -- 群发通知: a notice to every resident of my unit, as a background job with a progress bar ---------------
function bulkNotice(view: HTMLElement): void {
  const subject = h("input", { name: "subject", required: true, maxlength: 200 });
  const body = h("textarea", { name: "body", rows: 5, maxlength: 2000 });
  const sms = h("input", { name: "sms", type: "checkbox" });
  const progress = h("div", { id: "notice-job" });
  const send = h("button", { type: "submit", class: "primary", id: "notice-send" }, tr("submit"));
  const form = h(
    "form",
    { class: "stack", id: "notice-form" },
    h("p", { class: "muted" }, `${tr("bulkNoticeHint")}${state.me?.unit?.name ?? ""}`),
    h("label", {}, tr("title"), subject),
    h("label", {}, tr("body"), body),
    h("label", { class: "inline" }, sms, tr("alsoSms")),
    send,
    progress,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!subject.value.trim()) return;
    send.disabled = true;
    void startJob("residents.bulk_notice", { subject: subject.value.trim(), body: body.value.trim(), sms: sms.checked })
      .then((job) => watchJob(job.id, progress))
      .catch(showError)
      .finally(() => (send.disabled = false));
  });
  view.append(h("h2", {}, tr("bulkNotice")), form);
}

export function registerStaffRoutes(): void {
  route(/^\/staff\/notice$/, bulkNotice, { title: "bulkNotice", back: true });
  route(/^\/staff$/, staffHome, { title: "staffOnly" });
  route(/^\/staff\/write(?:\/(\d+))?$/, write, { title: "write", back: true });
  route(/^\/staff\/drafts$/, (v) => box(v, "drafts", "drafts"), { back: true });
  route(/^\/staff\/mine$/, (v) => box(v, "mine", "myPosts"), { back: true });
  route(/^\/staff\/queue$/, (v) => box(v, "queue", "queue"));
  route(/^\/staff\/post\/(\d+)$/, manage, { back: true });
  route(/^\/staff\/claims$/, claims, { back: true });
  route(/^\/staff\/cadence$/, cadence, { title: "cadence", back: true });
}
