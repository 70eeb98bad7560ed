// In-app messages (站内消息, the server's core.notices): the signed-in account's list, read/unread.
// Mounted by the map client's toolbar and by 民政易.
import { api } from "../api";
import { getLang } from "../i18n";
import { h } from "../ui";
import "./kit.css";

export interface MessageItem {
  id: number;
  subject: string;
  body: string;
  link: string;
  created_at: string;
  read: boolean;
  read_at: string | null;
  sender: string;
}

export interface MessagePage {
  count: number;
  unread: number;
  next: string | null;
  previous: string | null;
  results: MessageItem[];
}

const L = (zh: string, en: string): string => (getLang() === "en" ? en : zh);

export async function unreadCount(): Promise<number> {
  return (await api<MessagePage>("/api/messages/?page_size=1")).unread;
}

/** The server's local time as it wrote it (the platform's time zone, whatever the browser's). */
function when(iso: string): string {
  return iso.slice(0, 16).replace("T", " ");
}

export interface MessagesOptions {
  /** Told the unread count after every load or change (a badge on the toolbar, say). */
  onUnread?: (n: number) => void;
  /** Follow a message's link (default: go to it). */
  onOpen?: (m: MessageItem) => void;
  pageSize?: number;
}

/** The message list: newest first, unread in bold; opening one marks it read; "全部已读"; more pages. */
export function mountMessages(el: HTMLElement, opts: MessagesOptions = {}): { refresh: () => Promise<void> } {
  const list = h("div", { class: "msg-list" });
  const onlyUnread = h("input", { type: "checkbox", id: "msg-only-unread" });
  const readAll = h("button", { type: "button", class: "secondary", id: "msg-read-all" }, L("全部已读", "Mark all read"));
  const more = h("button", { type: "button", class: "secondary", hidden: true }, L("加载更多", "More"));
  const summary = h("span", { class: "muted" });
  el.replaceChildren(
    h("div", { class: "msg-tools" }, h("label", {}, onlyUnread, " ", L("只看未读", "Unread only")), summary, readAll),
    list,
    more,
  );
  let next: string | null = null;

  const setUnread = (n: number): void => {
    summary.textContent = n ? L(`${n} 条未读`, `${n} unread`) : L("没有未读消息", "All read");
    opts.onUnread?.(n);
  };

  const item = (m: MessageItem): HTMLElement => {
    const row = h("div", { class: `msg${m.read ? "" : " unread"}`, "data-id": String(m.id) },
      h("div", { class: "msg-subject" }, m.subject),
      h("div", { class: "msg-meta" }, `${m.sender} · ${when(m.created_at)}`),
      m.body ? h("div", { class: "msg-body" }, m.body) : null,
      m.link ? h("a", { class: "msg-link", href: m.link }, L("查看详情", "Open")) : null);
    row.addEventListener("click", async (ev) => {
      row.classList.add("open");
      if (!m.read) {
        await api(`/api/messages/${m.id}/read/`, { method: "POST" });
        m.read = true;
        row.classList.remove("unread");
        const unread = Math.max(0, Number(summary.dataset.unread ?? 0) - 1);
        summary.dataset.unread = String(unread);
        setUnread(unread);
      }
      const target = ev.target as HTMLElement;
      if (target.classList.contains("msg-link") && opts.onOpen) {
        ev.preventDefault();
        opts.onOpen(m);
      }
    });
    return row;
  };

  const load = async (url: string, append: boolean): Promise<void> => {
    const page = await api<MessagePage>(url);
    if (!append) list.replaceChildren();
    if (!page.results.length && !append) list.append(h("p", { class: "muted" }, L("暂无消息。", "No messages.")));
    for (const m of page.results) list.append(item(m));
    summary.dataset.unread = String(page.unread);
    setUnread(page.unread);
    next = page.next;
    more.hidden = !next;
  };

  const refresh = (): Promise<void> =>
    load(`/api/messages/?page_size=${opts.pageSize ?? 20}${onlyUnread.checked ? "&unread=1" : ""}`, false);
  onlyUnread.addEventListener("change", () => void refresh());
  more.addEventListener("click", () => {
    if (next) void load(new URL(next, location.origin).pathname + new URL(next, location.origin).search, true);
  });
  readAll.addEventListener("click", async () => {
    await api("/api/messages/read-all/", { method: "POST" });
    await refresh();
  });
  void refresh();
  return { refresh };
}
