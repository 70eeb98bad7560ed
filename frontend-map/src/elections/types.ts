// Types of the elections API's answers (platform/elections/api/serializers.py) and the language helper.
import { getLang } from "../i18n";

export const L = (zh: string, en: string): string => (getLang() === "en" ? en : zh);

export interface RuleApplied {
  key: string;
  title: string;
  value: unknown;
  ok: boolean;
  detail: string;
  confirmed: boolean;
  citation: string;
}

export interface Step {
  stage: string;
  label: string;
  planned: string | null;
  deadline: string | null;
  ok: boolean;
  detail: string;
  rules: RuleApplied[];
}

export interface Counts {
  total: number;
  male: number;
  female: number;
  groups: Array<{ group: number | null; name: string; total: number; male: number; female: number }>;
  by_category: Record<string, number>;
}

export interface StopRow {
  id: number;
  kind: string;
  kind_label: string;
  stage_label: string;
  reason: string;
  rule: string;
  status: string;
  status_label: string;
  open: boolean;
  created_at: string;
  authorised_at: string | null;
  authorisation: string;
  authorised_by: string;
}

export interface ElectionItem {
  id: number;
  unit: number;
  unit_name: string;
  unit_code: string;
  round: string;
  body: string;
  body_label: string;
  mode_label: string;
  election_day: string;
  stage: string;
  stage_label: string;
  stopped: boolean;
  colour: string;
}

export interface ElectionDetail extends ElectionItem {
  rule_set: string;
  rule_version: string;
  committee: Array<{ name: string; role: string }>;
  posts: Array<{ id: number; kind: string; label: string; seats: number }>;
  calendar: { ok: boolean; errors: string[]; steps: Step[] };
  deadlines: { roll_publish_by: string; objections_until: string; objection_days: number; decision_days: number; roll_published_on: string | null };
  roll_published_at: string | null;
  roll_post: number | null;
  roll_document_url: string | null;
  counts: Counts;
  stops: StopRow[];
  actions: string[];
}

export interface Voter {
  id: number;
  name: string;
  gender: string;
  id_masked: string;
  group_name: string;
  category_label: string;
  status: string;
  source: string;
  reason: string;
}

export interface PoolPerson {
  person: number;
  name: string;
  gender: string;
  age: number;
  id_masked: string;
  category: string;
  eligible: boolean;
  reasons: string[];
  other_roll: string | null;
}

export interface Preview {
  pool: number;
  eligible: number;
  excluded: number;
  already_on_roll: number;
  on_other_rolls: number;
  reasons: Array<{ reason: string; count: number }>;
  excluded_people: PoolPerson[];
  eligible_people: PoolPerson[];
  note: string;
}

export interface Objection {
  id: number;
  kind: string;
  kind_label: string;
  voter: number | null;
  subject_name: string;
  text: string;
  objector_name: string;
  via_app: boolean;
  received_on: string;
  decide_by: string;
  status: string;
  status_label: string;
  decision: string;
  late: boolean;
}

export interface Candidate {
  id: number;
  post: string;
  post_label: string;
  voter: number;
  name: string;
  gender: string;
  status: string;
  status_label: string;
  nominations: number;
}

export interface Vetting {
  id: number;
  candidate: number;
  candidate_name: string;
  department: string;
  department_unit: string;
  passed: boolean | null;
  reason: string;
  may_answer: boolean;
}

export interface Conflict {
  id: number;
  name: string;
  id_masked: string;
  other_community: string;
  source: string;
  detected_at: string;
}

export interface EventRow {
  id: number;
  at: string;
  stage_label: string;
  text: string;
  rule: string;
  actor: string;
}

export interface SupervisionRow {
  id: number;
  unit: number;
  unit_name: string;
  town: string;
  election_day: string;
  stage: string;
  stage_label: string;
  colour: string;
  stopped: boolean;
  voters: number;
  risks: string[];
}

export interface Supervision {
  summary: { elections: number; stopped: number; at_risk: number; voters: number; by_stage: Array<{ stage: string; label: string; count: number; colour: string }> };
  elections: SupervisionRow[];
}

export interface Meta {
  stages: Array<{ value: string; label: string; colour: string }>;
  stopped_colour: string;
  stop_kinds: Array<{ value: string; label: string }>;
  categories: Array<{ value: string; label: string }>;
  objection_kinds: Array<{ value: string; label: string }>;
  posts: Array<{ value: string; label: string }>;
  modes: Array<{ value: string; label: string }>;
}
