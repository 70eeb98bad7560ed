// The sidebar's tabs, in order; each decides whether the signed-in role sees it.
import type { App } from "../app";
import type { Key } from "../i18n";
import { treePanel } from "./tree";
import { layersPanel } from "./layers";
import { buildingPanel } from "./building";
import { drawPanel } from "./draw";
import { historyPanel } from "./history";
import { checkPanel } from "./check";
import { statsPanel } from "./stats";
import { rulesPanel, sealsPanel } from "./kit";
import { exportPanel } from "./export";
import { importPanel } from "./import";
import { populationPanel } from "../population/panel";
import { adminPanel } from "../admin/panel";
import { electionsPanel } from "../elections/panel";

export interface Panel {
  id: string;
  label: Key;
  visible(app: App): boolean;
  render(app: App, el: HTMLElement): void;
}

export const panels: Panel[] = [
  treePanel, layersPanel, buildingPanel, populationPanel, drawPanel, historyPanel, checkPanel, statsPanel, electionsPanel, exportPanel, importPanel, adminPanel,
  sealsPanel, rulesPanel,
];
