/**
 * Doctor's checks of the sandbox, beyond whether bubblewrap starts (the facts probe, a requirement): what
 * Claude Code itself makes of the settings file apply placed, and what in the recipe works against it.
 */
import semver from 'semver';
import type { Recipe } from '../recipe/index.js';
import type { Layout } from '../render/index.js';
import { CLAUDE_VERSIONS, type Facts, type Target } from '../target/index.js';
import type { Finding } from './finding.js';

/** What `claude sandbox status` prints (one JSON line). */
interface ClaudeSandboxStatus {
  enabled?: boolean;
  enabledSource?: string;
  unavailableReason?: string | null;
  /** No way out of the sandbox (allowUnsandboxedCommands: false from a source Claude Code honours). */
  strictMode?: boolean;
  autoAllowBashIfSandboxed?: boolean;
}

export async function sandboxFindings(target: Target, recipe: Recipe, layout: Layout, facts: Facts): Promise<Finding[]> {
  const title = 'sandbox';
  if (recipe.sandbox === false) {
    return [
      {
        id: 'sandbox',
        ok: false,
        warning: true,
        title,
        detail: 'sandbox: false in the recipe: a hijacked agent meets only the hook, a parser, on its way to your secrets and your network',
        fix: 'take sandbox: false out of the recipe (doctor names what the machine needs), then buddy-init apply',
        fixable: false,
      },
    ];
  }
  const findings: Finding[] = [];
  if (recipe.claude.env.CLAUDE_CODE_SUBPROCESS_ENV_SCRUB && recipe.claude.env.CLAUDE_CODE_SUBPROCESS_ENV_SCRUB !== '0' && recipe.sandbox.autoAllow) {
    findings.push({
      id: 'sandbox-scrub',
      ok: false,
      warning: true,
      title,
      detail: 'claude.env sets CLAUDE_CODE_SUBPROCESS_ENV_SCRUB: under it Claude Code asks before every sandboxed command, so sandbox.autoAllow does nothing (the sandbox already keeps the token out)',
      fix: 'remove it from claude.env, then buddy-init apply',
      fixable: false,
    });
  }
  const version = facts.tools.claude?.version;
  if (!facts.tools.claude || !version || semver.lt(version, CLAUDE_VERSIONS.sandboxStatus)) return findings;
  // Claude Code's own reading of the file, the way the supervisor hands it over.
  const r = await target.run([facts.tools.claude.path, '--settings', layout.claudeSettings, 'sandbox', 'status'], { cwd: layout.workdir, env: { DISABLE_AUTOUPDATER: '1' } });
  let status: ClaudeSandboxStatus | undefined;
  try {
    status = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as ClaudeSandboxStatus;
  } catch {
    status = undefined;
  }
  if (!status) {
    findings.push({ id: 'sandbox-claude', ok: false, title, detail: `claude sandbox status did not answer: ${(r.stderr || r.stdout).trim().slice(0, 200) || `exit ${r.code}`}`, fix: 'buddy-init doctor --fix (or buddy-init apply)', fixable: true });
  } else if (status.enabled !== true || status.unavailableReason) {
    findings.push({
      id: 'sandbox-claude',
      ok: false,
      title,
      detail: `Claude Code ${version} says the sandbox is off${status.unavailableReason ? `: ${status.unavailableReason}` : ` (source: ${status.enabledSource ?? '?'})`}; with failIfUnavailable it refuses to start`,
      fix: status.unavailableReason ? 'apt-get install bubblewrap socat on the target (see the sandbox finding above)' : 'buddy-init doctor --fix (or buddy-init apply)',
      fixable: !status.unavailableReason,
    });
  } else {
    const auto = status.autoAllowBashIfSandboxed === true;
    const drift = [
      ...(status.strictMode === true ? [] : ['a command may still ask to run outside it']),
      ...(auto === recipe.sandbox.autoAllow ? [] : [`auto-allow is ${auto ? 'on' : 'off'}, the recipe says ${recipe.sandbox.autoAllow ? 'on' : 'off'}`]),
    ];
    findings.push(
      drift.length
        ? { id: 'sandbox-claude', ok: false, title, detail: `Claude Code ${version} reads the sandbox as on, but ${drift.join('; ')}`, fix: 'buddy-init doctor --fix (or buddy-init apply)', fixable: true }
        : { id: 'sandbox-claude', ok: true, title, detail: `Claude Code ${version} reads it: on, no way out, ${auto ? 'contained commands run without asking' : 'every command needs the hook or a person'}`, fixable: false },
    );
  }
  return findings;
}
