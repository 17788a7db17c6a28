/**
 * Where each target writes, relative to the output directory. Shared so a
 * target can name another's file (the runbooks link the rules file and the
 * dashboard) without importing the other's emitter.
 */
export const PLAN_JSON_PATH = 'plan.json';
export const LITELLM_CONFIG_PATH = 'litellm/config.yaml';
export const RULES_PATH = 'prometheus/routing.rules.yml';
export const RULES_TEST_PATH = 'prometheus/routing.rules.test.yml';
export const DASHBOARD_PATH = 'grafana/routing.json';
/** The Grafana dashboard's uid, which links in the runbooks use. */
export const DASHBOARD_UID = 'switchyard-routing';
export const ANALYTICS_SQL_PATH = 'sql/routing_analytics.sql';
export const BATCH_PROFILES_PATH = 'openai/batch-profiles.json';
export const READINESS_DOC_PATH = 'docs/readiness-gate.md';

/** A LiteLLM model_list entry's model_info.id: one entry per (group, deployment), so the runbooks can name it. */
export const litellmDeploymentId = (group: string, deployment: string): string => `${group}/${deployment}`;
