/**
 * The recipe the wizard writes: YAML with a comment on each field, so the file explains itself and
 * `buddy-init apply --recipe` reproduces the result. Re-runs edit it in place through the yaml
 * library's Document API, which keeps the person's own comments and layout.
 */
import { isMap, isScalar, parseDocument, Document, type YAMLMap } from 'yaml';
import { schemaLocation } from '../recipe/index.js';
import type { SecretRef } from '../recipe/index.js';

export type Posture = 'strict' | 'balanced' | 'open';
export type Platform = 'discord' | 'telegram';

export interface ChatChoice {
  platform: Platform;
  token: SecretRef;
  allowFrom: string[];
  /** Only when chosen: strangers who DM the bot get a code to approve (`buddy-init pair CODE`). */
  dmPolicy?: 'pairing';
  /** The person's consent for apply to install Bun (asked only when the box lacks it). */
  installBun?: boolean;
}

export interface WizardChoices {
  name: string;
  target: 'local' | { ssh: string };
  workdir: string;
  chat?: ChatChoice;
  auth?: { kind: 'oauthToken' | 'apiKey'; ref: SecretRef };
  posture: Posture;
  allow: string[];
  deny: string[];
  safeVerbs: string[];
  init: { kind: 'auto' | 'systemd-user' | 'launchd-agent' | 'launchd-daemon'; linger: boolean };
  /** False: the person chose to go on where Claude Code's sandbox cannot run. */
  sandbox?: false;
}

const COMMENTS: Record<string, string> = {
  name: ' Names the systemd unit / launchd job, the tmux session and the state folder.',
  extends:
    ' Permission posture preset: strict (asks before edits and commands), balanced (accepts edits; commands\n run in Claude Code\'s sandbox without asking), open (throwaway boxes). Lists below are added to the preset.\n' +
    ' The sandbox is on: `sandbox: { toolchains: [node, python], domains: [api.example.com] }` opens\n caches and hosts, `sandbox: false` switches it off.',
  sandbox: ' Claude Code\'s OS sandbox was not available on this box when the wizard ran: only the hook guards it.',
  target: ' Where the buddy runs: local, or { ssh: user@host } (a ~/.ssh/config alias works too).',
  workdir: ' Where claude works; its project settings are <workdir>/.claude/settings.local.json.',
  channels: ' Chat: the bot token is a reference, never the token itself. { stored: true } means it was\n typed into the wizard once and lives only on the target, in a 0600 file.',
  bun: ' The chat plugin runs on Bun: apply installs it for the user with npm (into ~/.bun) when it is missing.',
  auth: ' Claude auth for a box nobody logs into: an OAuth token from `claude setup-token` or an API key.',
  permissions: ' Rules added to the preset (checked against Claude Code\'s rule grammar before anything is written).',
  hook: ' The PreToolUse classifier: these commands are also treated as read-only.',
  init: ' systemd user unit with linger on Linux; a LaunchDaemon (starts at boot) on macOS.',
};

function flowMaps(doc: Document, paths: string[][]): void {
  for (const path of paths) {
    const node = doc.getIn(path, true);
    if (isMap(node)) node.flow = true;
  }
}

function comment(doc: Document): void {
  const map = doc.contents as YAMLMap;
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (COMMENTS[key] && isScalar(pair.key)) pair.key.commentBefore = COMMENTS[key];
  }
}

export function recipeObject(c: WizardChoices): Record<string, unknown> {
  return {
    name: c.name,
    extends: c.posture,
    target: c.target,
    workdir: c.workdir,
    ...(c.chat ? { channels: { [c.chat.platform]: { token: c.chat.token, allowFrom: c.chat.allowFrom, ...(c.chat.dmPolicy ? { dmPolicy: c.chat.dmPolicy } : {}) } } } : {}),
    ...(c.chat?.installBun ? { bun: { install: true } } : {}),
    ...(c.auth ? { auth: { [c.auth.kind]: c.auth.ref } } : {}),
    ...(c.allow.length || c.deny.length ? { permissions: { ...(c.allow.length ? { allow: c.allow } : {}), ...(c.deny.length ? { deny: c.deny } : {}) } } : {}),
    ...(c.safeVerbs.length ? { hook: { safeVerbs: c.safeVerbs } } : {}),
    ...(c.sandbox === false ? { sandbox: false } : {}),
    init: c.init,
  };
}

export function newRecipeText(c: WizardChoices, now = new Date()): string {
  const doc = new Document(recipeObject(c));
  doc.commentBefore =
    ` yaml-language-server: $schema=${schemaLocation()}\n` +
    ` buddy-init recipe, written by the wizard on ${now.toISOString().slice(0, 10)}. Run \`buddy-init\` again in this\n` +
    ' folder to change it, or edit it and run `buddy-init apply --recipe <this file>`.';
  flowMaps(doc, [['target'], ['init'], ['bun'], ...(c.chat ? [['channels', c.chat.platform, 'token']] : []), ...(c.auth ? [['auth', c.auth.kind]] : [])]);
  comment(doc);
  return doc.toString({ lineWidth: 0 });
}

/** Edits an existing recipe's text: sets these values, keeps everything else (comments included). */
export function editRecipeText(text: string, set: Array<{ path: string[]; value: unknown; flow?: boolean }>): string {
  const doc = parseDocument(text);
  for (const { path, value, flow } of set) {
    if (value === undefined) {
      if (!doc.hasIn(path)) continue;
      doc.deleteIn(path);
      // Leave no empty `permissions: {}` behind.
      const parent = path.slice(0, -1);
      const node = parent.length ? doc.getIn(parent, true) : undefined;
      if (isMap(node) && node.items.length === 0) doc.deleteIn(parent);
    } else {
      doc.setIn(path, doc.createNode(value));
      if (flow) flowMaps(doc, [path]);
    }
  }
  return doc.toString({ lineWidth: 0 });
}
