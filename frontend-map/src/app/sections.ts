// Places in 民政易's navigation that later modules fill: 民主选举, 民主协商, 民主决策, 社区直通车,
// 智能客服. A slot stays hidden until a module registers its section (registerSection), so residents
// never see an empty door.
import { h } from "../ui";
import { route, type Render } from "./core";

export type SlotId = "elections" | "deliberation" | "decisions" | "requests" | "assistant" | "messages";

export const SLOTS: Array<{ id: SlotId; label: string; icon: string }> = [
  { id: "elections", label: "民主选举", icon: "票" },
  { id: "deliberation", label: "民主协商", icon: "议" },
  { id: "decisions", label: "民主决策", icon: "决" },
  { id: "requests", label: "社区直通车", icon: "办" },
  { id: "assistant", label: "智能客服", icon: "问" },
];

export interface Section {
  id: SlotId;
  /** Renders the section's page at #/s/<id>. */
  render: Render;
  /** Whether this user sees the section (default: everyone signed in). */
  visible?: () => boolean;
}

const sections = new Map<SlotId, Section>();

export function registerSection(section: Section): void {
  sections.set(section.id, section);
  route(new RegExp(`^/s/${section.id}$`), section.render, { back: true });
}

export function filledSlots(): Array<{ id: SlotId; label: string; icon: string }> {
  return SLOTS.filter((s) => {
    const sec = sections.get(s.id);
    return sec !== undefined && (sec.visible?.() ?? true);
  });
}

/** The grid of filled sections on the home page (nothing at all when none is filled). */
export function sectionGrid(): HTMLElement | null {
  const filled = filledSlots();
  if (!filled.length) return null;
  return h(
    "div",
    { class: "section-grid" },
    ...filled.map((s) => h("a", { href: `#/s/${s.id}`, class: "section-tile", "data-section": s.id }, h("span", { class: "tile-icon" }, s.icon), s.label)),
  );
}
