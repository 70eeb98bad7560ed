// The civic kit in the map client's toolbar: 消息 (with the unread count) and 我的任务.
import type { App } from "./app";
import { openMyJobs, kitDialog } from "./common/jobs";
import { mountMessages, unreadCount } from "./common/messages";
import { getLang } from "./i18n";
import { h } from "./ui";

const L = (zh: string, en: string): string => (getLang() === "en" ? en : zh);

export function setupKit(_app: App): void {
  const actions = document.getElementById("top-actions")!;
  const badge = h("span", { class: "kit-badge", id: "messages-badge", hidden: true });
  const setBadge = (n: number): void => {
    badge.textContent = n > 99 ? "99+" : String(n);
    badge.hidden = n === 0;
  };
  const messages = h("button", { class: "toggle", id: "btn-messages", type: "button" }, L("消息", "Messages"), badge);
  const jobs = h("button", { class: "toggle", id: "btn-jobs", type: "button" }, L("我的任务", "My jobs"));
  messages.addEventListener("click", () => {
    const { body } = kitDialog("messages-dialog", L("站内消息", "Messages"));
    mountMessages(body, { onUnread: setBadge });
  });
  jobs.addEventListener("click", () => openMyJobs());
  actions.insertBefore(jobs, document.getElementById("user-name"));
  actions.insertBefore(messages, jobs);
  const poll = (): void => void unreadCount().then(setBadge).catch(() => undefined);
  poll();
  window.setInterval(poll, 60_000);
}
