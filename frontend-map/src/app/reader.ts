// What residents (and staff, as readers) see: the home feed, 村(居)务公开 by category, one post,
// a unit's published items (the map links here) and my messages.
import { mountMessages } from "../common/messages";
import { h } from "../ui";
import { fmtDate, read, route, state } from "./core";
import { tr } from "./i18n";
import { sectionGrid } from "./sections";

export interface UnitBrief {
  id: number;
  code: string;
  name: string;
  level: number;
}

export interface FeedItem {
  id: number;
  title: string;
  summary: string;
  channel: string;
  column: string;
  category: string;
  unit: UnitBrief;
  audience: UnitBrief;
  pinned: boolean;
  major: boolean;
  published_at: string;
  read_count: number;
  cover_url: string | null;
}

interface Attachment {
  id: number;
  kind: "image" | "pdf" | "xlsx";
  name: string;
  size: number;
  url: string;
}

interface Page<T> {
  results: T[];
  more: boolean;
}

export interface Meta {
  channels: Array<{ id: string; label: string }>;
  columns: Array<{ id: string; label: string }>;
  categories: Array<{ id: string; label: string }>;
  groups: Array<{ id: string; label: string; categories: string[] }>;
}

let metaCache: Meta | null = null;
export async function meta(): Promise<Meta> {
  metaCache ??= await read<Meta>("/api/publication/meta/");
  return metaCache;
}

export function categoryLabel(m: Meta, id: string): string {
  return m.categories.find((c) => c.id === id)?.label ?? id;
}

function levelTag(u: UnitBrief): string {
  return ["", "区", "镇街", "村社区"][u.level] ?? "";
}

export function itemCard(p: FeedItem, href = `#/post/${p.id}`): HTMLElement {
  return h(
    "a",
    { class: "card", href, "data-post-id": p.id },
    p.cover_url ? h("img", { class: "thumb", src: p.cover_url, alt: "", loading: "lazy" }) : null,
    h(
      "div",
      { class: "card-body" },
      h("div", { class: "card-title" }, p.pinned ? h("span", { class: "tag pin" }, tr("pinned")) : null, p.title),
      p.summary ? h("div", { class: "card-summary" }, p.summary) : null,
      h(
        "div",
        { class: "card-meta" },
        h("span", { class: `tag l${p.audience.level}`, title: levelTag(p.audience) }, p.unit.name),
        ` ${fmtDate(p.published_at)} · ${tr("reads", { n: p.read_count })}`,
      ),
    ),
  );
}

async function list(el: HTMLElement, query: string, limit = 20): Promise<void> {
  el.replaceChildren(h("p", { class: "muted pad" }, "…"));
  const page = await read<Page<FeedItem>>(`/api/publication/feed/?${query}&limit=${limit}`);
  el.replaceChildren(...(page.results.length ? page.results.map((p) => itemCard(p)) : [h("p", { class: "muted pad empty" }, tr("empty"))]));
}

function chips(options: Array<[string, string]>, onPick: (value: string) => void, initial = ""): HTMLElement {
  const bar = h("div", { class: "chips" });
  const pick = (value: string): void => {
    bar.querySelectorAll("button").forEach((b) => b.classList.toggle("active", b.dataset.value === value));
    onPick(value);
  };
  bar.append(...options.map(([value, label]) => h("button", { type: "button", "data-value": value, onclick: () => pick(value) }, label)));
  queueMicrotask(() => pick(initial));
  return bar;
}

function communityHeader(): HTMLElement {
  const c = state.community;
  return h(
    "div",
    { class: "community-head" },
    c ? h("span", { id: "my-community" }, `${tr("myCommunity")}：${c.name}`) : h("a", { href: "#/me", class: "warn" }, tr("notBound")),
  );
}

function fill(el: HTMLElement, items: FeedItem[]): void {
  el.replaceChildren(...(items.length ? items.map((p) => itemCard(p)) : [h("p", { class: "muted pad empty" }, tr("empty"))]));
}

async function home(view: HTMLElement): Promise<void> {
  const headline = h("div", { class: "list", id: "headline-list" });
  const notices = h("div", { class: "list", id: "notice-list" });
  const affairsList = h("div", { class: "list", id: "affairs-latest" });
  const grid = sectionGrid();
  // One request for the whole screen; the column chips ask for their own list.
  const data = await read<{ headline: FeedItem[]; notice: FeedItem[]; affairs: FeedItem[] }>("/api/publication/home/");
  fill(notices, data.notice);
  fill(affairsList, data.affairs);
  view.append(
    communityHeader(),
    grid ? h("section", {}, h("h2", {}, tr("sections")), grid) : "",
    h(
      "section",
      { id: "headline" },
      h("h2", {}, tr("headline")),
      chips([["", tr("all")], ["news", tr("news")], ["updates", tr("updates")]], (col) => (col ? void list(headline, `channel=headline&column=${col}`, 10) : fill(headline, data.headline))),
      headline,
    ),
    h("section", { id: "notices" }, h("h2", {}, tr("notice")), notices),
    h("section", { id: "affairs-entry" }, h("h2", {}, h("a", { href: "#/affairs" }, `${tr("affairs")} ›`)), affairsList),
  );
}

async function affairs(view: HTMLElement, params: string[]): Promise<void> {
  const m = await meta();
  const active = params[0] ?? "";
  const body = h("div", { class: "list", id: "affairs-list" });
  const groups = h(
    "div",
    { class: "groups" },
    ...m.groups.map((g) =>
      h(
        "div",
        { class: "group" },
        h("h3", {}, g.label),
        h("div", { class: "cats" }, ...g.categories.map((c) => h("a", { href: `#/affairs/${c}`, class: `cat${c === active ? " active" : ""}`, "data-category": c }, categoryLabel(m, c)))),
      ),
    ),
  );
  view.append(groups, h("h2", {}, active ? categoryLabel(m, active) : `${tr("affairs")} · ${tr("all")}`), body);
  await list(body, `channel=affairs${active ? `&category=${active}` : ""}`);
}

async function post(view: HTMLElement, params: string[]): Promise<void> {
  const p = await read<FeedItem & { body: string; attachments: Attachment[] }>(`/api/publication/feed/${params[0]}/`);
  const images = p.attachments.filter((a) => a.kind === "image");
  const files = p.attachments.filter((a) => a.kind !== "image");
  const body = h("div", { class: "post-body" });
  body.innerHTML = p.body; // sanitised on the server (nh3) when it was saved
  view.append(
    h(
      "article",
      { class: "post", "data-post-id": p.id },
      h("h2", { class: "post-title" }, p.title),
      h("div", { class: "card-meta" }, `${p.unit.name} · ${fmtDate(p.published_at)} · ${tr("reads", { n: p.read_count })}`),
      ...images.map((a) => h("img", { class: "post-image", src: a.url, alt: a.name })),
      body,
      files.length
        ? h(
            "div",
            { class: "files" },
            h("h3", {}, tr("attachments")),
            ...files.map((a) => h("a", { class: "file", href: a.url, target: "_blank", rel: "noopener" }, `${a.kind === "pdf" ? "PDF" : "Excel"} · ${a.name}`)),
          )
        : null,
    ),
  );
}

async function unitItems(view: HTMLElement, params: string[]): Promise<void> {
  const body = h("div", { class: "list", id: "unit-list" });
  view.append(body);
  await list(body, `unit=${encodeURIComponent(params[0])}`, 50);
  const first = body.querySelector(".card-meta .tag");
  view.prepend(h("h2", {}, first ? `${first.textContent} · ${tr("headline")}/${tr("notice")}/${tr("affairs")}` : tr("empty")));
}

function messages(view: HTMLElement): void {
  // The platform's in-app messages (站内消息), the same list the map client shows.
  const box = h("div", { class: "messages", id: "messages" });
  view.append(h("h2", {}, tr("messages")), box);
  mountMessages(box, { onOpen: (m) => (m.link ? location.assign(m.link) : undefined) });
}

export function registerReaderRoutes(): void {
  route(/^\/$/, home);
  route(/^\/affairs(?:\/([a-z]+))?$/, affairs, { title: "affairs" });
  route(/^\/post\/(\d+)$/, post, { back: true });
  route(/^\/unit\/(\d+)$/, unitItems, { back: true });
  route(/^\/messages$/, messages, { title: "messages" });
}
