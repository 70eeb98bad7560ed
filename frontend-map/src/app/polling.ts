// 民政易·社区端 › 投票日: the elections of my jurisdiction on polling day — stations, voter cards
// (printed as a background job with its progress bar), the vote and its ballot, scanning per
// station, counting with the outcome and its rules, run-offs, announcements, the archive.
import { watchJob } from "../common/jobs";
import { h, showError, toast } from "../ui";
import { go, read, route, send } from "./core";
import { allocatePage } from "./polling-boxes";
import { countPage } from "./polling-count";
import { stationsPage } from "./polling-stations";
import { reprintPanel } from "./polling-reprint";
import { L } from "./polling-text";
import { scanPage } from "./scan";

export interface Vote {
  id: number;
  number: number;
  runoff: boolean;
  status: string;
  posts: Array<{ id: string; kind: string; seats: number; candidates: Array<{ id: string; name: string; gender: string }> }>;
  outcome: Outcome | null;
  ballot_url: string | null;
}

export interface Conclusion {
  code: string;
  text: string;
  rule?: { key: string; title: string; citation: string; confirmed: boolean };
}

export interface Outcome {
  valid: boolean;
  registered: number;
  issued: number;
  cast: number;
  conclusions: Conclusion[];
  elected?: Array<{ post: string; name: string; votes: number }>;
  runoff_required?: boolean;
  posts: Array<{ id: string; kind: string; seats: number; tally: Array<{ id: string; name: string; votes: number }> }>;
}

interface Election {
  id: number;
  unit: { id: number; name: string };
  round: string;
  body: string;
  stage: string;
  stage_label: string;
  stopped: boolean;
  election_day: string;
  stations: Array<{ id: number; kind: string; kind_label: string; name: string; groups: Array<{ id: number; name: string }> }>;
  cards: { active: number; revoked: number; printed: number };
  votes: Vote[];
  proxies: Array<{ id: number; principal: string; holder: string; relation: string }>;
  announcements: Array<{ id: number; kind: string; kind_label: string; url: string; state: string | null }>;
  archive: { checklist: Array<{ key: string; label: string; done: boolean }>; built_at: string | null; sha256: string; url: string | null };
}

async function list(view: HTMLElement): Promise<void> {
  const { results } = await read<{ results: Election[] }>("/api/polling/elections/");
  if (!results.length) {
    view.append(h("p", { class: "pad muted" }, L("管辖范围内暂无换届选举。", "No elections in your jurisdiction.")));
    return;
  }
  view.append(h("div", { class: "menu" }, ...results.map((e) =>
    h("a", { href: `#/staff/polling/${e.id}`, class: "menu-item", "data-election": e.id },
      `${e.unit.name} ${e.round}`, h("span", {}, `${e.stage_label}${e.stopped ? L(" · 暂停", " · stopped") : ""} ›`)))));
}

function conclusions(o: Outcome): HTMLElement {
  return h("ul", { class: "conclusions" }, ...o.conclusions.map((c) =>
    h("li", { "data-code": c.code }, c.text, c.rule ? h("div", { class: "muted small" }, `${c.rule.citation}${c.rule.confirmed ? "" : L("（待核对）", " (to be checked)")}`) : null)));
}

async function detail(view: HTMLElement, params: string[]): Promise<void> {
  const e = await read<Election>(`/api/polling/elections/${params[0]}/`);
  const refresh = (): void => go(`#/staff/polling/${e.id}`);
  const act = async (fn: () => Promise<unknown>, done = L("已完成", "Done")): Promise<void> => {
    try {
      await fn();
      toast(done);
      refresh();
    } catch (err) {
      showError(err);
    }
  };
  const head = h("div", { class: "pad" },
    h("h2", {}, `${e.unit.name} ${e.round}年${e.body}换届选举`),
    h("p", {}, L("阶段：", "Stage: "), h("strong", { id: "election-stage" }, e.stage_label), e.stopped ? h("span", { class: "error" }, L(" · 因异常暂停", " · stopped")) : null),
    h("p", { class: "muted" }, L(`选举日 ${e.election_day}`, `Election day ${e.election_day}`)));

  // stations: listed here with their groups; set up on their own page
  const stations = h("section", { class: "stack", id: "stations" }, h("h3", {}, L("投票站", "Polling stations")),
    ...e.stations.map((s) => h("p", { "data-station": s.id }, `${s.kind_label} · ${s.name}`,
      h("span", { class: "muted small" }, ` · ${s.groups.length ? s.groups.map((g) => g.name).join("、") : L("不限小组", "any group")}`))),
    e.stations.length ? null : h("p", { class: "muted" }, L("尚未设立投票站。", "No stations yet.")),
    h("a", { class: "button", href: `#/staff/stations/${e.id}`, id: "manage-stations" },
      e.stage === "polling" ? L("设立投票站、分配村(居)民小组 ›", "Stations and groups ›") : L("投票站与小组 ›", "Stations and groups ›")));

  // voter cards
  const job = h("div", { class: "job", id: "cards-job" });
  const printCards = h("button", { type: "button", id: "print-cards" }, L("生成并打印选民证", "Make and print voter cards"));
  printCards.addEventListener("click", async () => {
    try {
      const r = await send<{ job: number; made: number }>(`/api/polling/elections/${e.id}/cards/`, {});
      await watchJob(r.job, job);
    } catch (err) {
      showError(err);
    }
  });
  const cards = h("section", { class: "stack", id: "cards" }, h("h3", {}, L("选民证", "Voter cards")),
    h("p", { id: "cards-counts" }, L(`有效 ${e.cards.active} 张，已打印 ${e.cards.printed} 张，作废 ${e.cards.revoked} 张`, `${e.cards.active} active, ${e.cards.printed} printed, ${e.cards.revoked} revoked`)),
    printCards, job, reprintPanel(e));

  // votes
  const openVote = h("button", { type: "button", id: "open-vote" }, L("开始投票（制作选票）", "Open the vote"));
  openVote.addEventListener("click", () => void act(() => send(`/api/polling/elections/${e.id}/votes/`, {})));
  const votes = h("section", { class: "stack", id: "votes" }, h("h3", {}, L("投票与计票", "Votes and counting")),
    ...e.votes.map((v) => {
      const ballot = h("button", { type: "button", "data-ballot": v.id }, L("打印选票", "Print the ballot"));
      ballot.addEventListener("click", async () => {
        try {
          const d = await send<{ url: string }>(`/api/polling/votes/${v.id}/ballot/`, {});
          window.open(d.url, "_blank");
        } catch (err) {
          showError(err);
        }
      });
      return h("div", { class: "vote", "data-vote": v.id },
        h("strong", {}, L(`第${v.number}次投票`, `Vote ${v.number}`), v.runoff ? L("（另行选举）", " (run-off)") : "", ` · ${v.status === "open" ? L("投票中", "open") : L("已计票", "counted")}`),
        v.status === "open" ? h("div", { class: "buttons" }, ...e.stations.map((s) => h("a", { class: "button", href: `#/staff/scan/${v.id}/${s.id}`, "data-scan": s.id }, L(`扫码发票·${s.name}`, `Scan · ${s.name}`))), ballot) : null,
        h("div", { class: "buttons" },
          h("a", { class: "button", href: `#/staff/allocate/${v.id}`, "data-allocate": v.id }, L("选票分配", "Ballots per station")),
          h("a", { class: "button", href: `#/staff/count/${v.id}`, "data-count": v.id }, L("计票", "Count"))),
        v.outcome ? conclusions(v.outcome) : null);
    }),
    e.votes.length ? null : openVote);

  // proxies (委托投票): recorded beforehand, near relatives only, within the cap (the server's rules)
  const proxies = h("section", { class: "stack", id: "proxies" }, h("h3", {}, L("委托投票", "Proxies")),
    ...e.proxies.map((p) => {
      const cancel = h("button", { type: "button", "data-cancel-proxy": p.id }, L("撤销", "Cancel"));
      cancel.addEventListener("click", () => void act(() => send(`/api/polling/proxies/${p.id}/cancel/`, {})));
      return h("p", { "data-proxy": p.id }, `${p.principal} → ${p.holder}（${p.relation}）`, cancel);
    }));
  if (e.stage === "polling") {
    const [voters, relation] = await Promise.all([
      read<{ results: Array<{ id: number; name: string; id_masked?: string }> }>(`/api/elections/${e.id}/voters/?limit=100`),
      read<{ value: string[] }>("/api/rules/polling.proxy_relation/").catch(() => ({ value: [] as string[] })),
    ]);
    const options = (): HTMLOptionElement[] => voters.results.map((v) => h("option", { value: v.id }, `${v.name} ${v.id_masked ?? ""}`));
    const principal = h("select", { name: "principal" }, ...options());
    const holder = h("select", { name: "holder" }, ...options());
    const rel = h("select", { name: "relation" }, ...relation.value.map((r) => h("option", { value: r }, r)));
    const doc = h("input", { name: "document", placeholder: L("委托书编号", "Authorisation no."), maxlength: 50 });
    const add = h("button", { type: "button", id: "add-proxy" }, L("登记委托", "Record"));
    add.addEventListener("click", () => void act(() => send(`/api/polling/elections/${e.id}/proxies/`, {
      principal: Number(principal.value), holder: Number(holder.value), relation: rel.value, document: doc.value })));
    proxies.append(h("label", {}, L("委托人", "Principal"), principal), h("label", {}, L("受委托人", "Holder"), holder),
      h("label", {}, L("关系", "Relation"), rel), doc, add);
  }

  // announcements
  const ann = (kindId: string, label: string, vote?: number): HTMLElement => {
    const b = h("button", { type: "button", "data-announce": kindId }, label);
    b.addEventListener("click", () => void act(() => send(`/api/polling/elections/${e.id}/announcements/`, { kind: kindId, vote }), L("已生成公告并提交审核", "Announcement submitted for review")));
    return b;
  };
  const counted = e.votes.filter((v) => v.status === "counted" && v.outcome?.valid).pop();
  const announcements = h("section", { class: "stack", id: "announcements" }, h("h3", {}, L("公告", "Announcements")),
    ...e.announcements.map((a) => h("p", {}, h("a", { href: a.url, target: "_blank" }, a.kind_label), ` · ${a.state === "published" ? L("已发布", "published") : L("待审核", "in review")}`)),
    h("div", { class: "buttons" }, ann("candidates", L("候选人名单公告", "Candidates")), ann("proxies", L("委托投票名单公告", "Proxies")),
      counted ? ann("results", L("选举结果公告", "Results"), counted.id) : null));

  // archive
  const items = e.archive.checklist.map((i) => {
    const box = h("input", { type: "checkbox", checked: i.done, "data-item": i.key });
    box.addEventListener("change", () => void act(() => send(`/api/polling/elections/${e.id}/archive/`, { item: i.key, done: box.checked })));
    return h("label", { class: "inline" }, box, i.label);
  });
  const freeze = h("button", { type: "button", id: "freeze", class: "danger" }, L("生成归档包并归档（归档后只读）", "Build the archive and freeze"));
  freeze.addEventListener("click", () => void act(() => send(`/api/polling/elections/${e.id}/archive/`, { freeze: true }), L("已归档", "Archived")));
  const archive = h("section", { class: "stack", id: "archive" }, h("h3", {}, L("归档", "Archive")), ...items,
    e.archive.url ? h("a", { href: e.archive.url, id: "archive-download" }, L("下载归档包", "Download the archive")) : freeze,
    e.archive.sha256 ? h("p", { class: "muted small" }, `SHA-256 ${e.archive.sha256}`) : null);

  view.append(head, stations, cards, proxies, votes, announcements, archive);
}

export function registerPollingRoutes(): void {
  route(/^\/staff\/polling$/, list, { back: true });
  route(/^\/staff\/polling\/(\d+)$/, detail, { back: true });
  route(/^\/staff\/scan\/(\d+)\/(\d+)$/, scanPage, { back: true });
  route(/^\/staff\/count\/(\d+)$/, countPage, { back: true });
  route(/^\/staff\/stations\/(\d+)$/, stationsPage, { back: true });
  route(/^\/staff\/allocate\/(\d+)$/, allocatePage, { back: true });
}
