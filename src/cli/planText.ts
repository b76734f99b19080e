/** How a plan reads, for people (text) and for scripts (--json). */
import type { Change, Plan } from '../plan/index.js';
import { describeEntry, unifiedDiff, uninstallSummary } from '../plan/index.js';
import type { Requirement } from '../target/index.js';
import type { Output } from './output.js';
import { count } from '../words.js';

const tilde = (path: string, home: string) => (path === home ? '~' : path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path);
const octal = (mode: number) => `0${(mode & 0o7777).toString(8)}`;

/** What a person sees of one change's content: a diff, or for secrets and bundles no content at all. */
function changeBody(change: Change): string | undefined {
  if (change.op === 'unchanged') return undefined;
  const { artifact } = change;
  if (artifact.display === 'summary') {
    return `${artifact.path}: ${Buffer.byteLength(change.after)} bytes${change.beforeMode !== undefined ? ' (replaces a different build)' : ''}`;
  }
  if (artifact.display === 'secret') {
    // Keys only: values in these files are secrets, and so may be what was there before.
    const keys = [...change.added.map((e) => `+ ${describeEntry(e, false)}`), ...change.removed.map((e) => `- ${describeEntry(e, false)}`)];
    return `${artifact.path}: holds secrets, content not shown${keys.length ? ` (${keys.join(', ')})` : ''}`;
  }
  if (change.before === change.after) return `${artifact.path}: mode ${octal(change.beforeMode ?? 0)} -> ${octal(change.mode)}`;
  return unifiedDiff(artifact.path, change.before, change.after);
}

function mergeSummary(change: Change): string {
  if (change.artifact.kind === 'file') return '';
  const parts = [];
  if (change.added.length) parts.push(`+${change.added.length}`);
  if (change.removed.length) parts.push(`-${change.removed.length}`);
  if (change.kept.length) parts.push(`${change.kept.length} kept (not buddy-init's)`);
  if (change.leftForOthers.length) parts.push(`${change.leftForOthers.length} left for another buddy`);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

/** @param diff also each file's changed lines (the wizard keeps them behind --diff, so its question stays in view). */
export function printPlan(plan: Plan, requirements: Requirement[], out: Output, title: string, diff = true): void {
  const { c } = out;
  const home = plan.layout.home;
  out.print(c.bold(title));
  out.print();
  const width = Math.max(...[...plan.changes.map((ch) => ch.artifact.path), ...plan.remove].map((p) => tilde(p, home).length));
  for (const ch of plan.changes) {
    const mark = ch.op === 'create' ? c.green('+') : ch.op === 'update' ? c.yellow('~') : c.dim('=');
    const path = tilde(ch.artifact.path, home).padEnd(width);
    const op = ch.op === 'unchanged' ? c.dim('unchanged') : ch.op;
    const edited = ch.editedSinceApply ? c.yellow(' (edited on the target since the last apply; a backup will be kept)') : '';
    const link = ch.linkTo ? c.dim(` (a link to ${tilde(ch.linkTo, home)}: written through, the link kept)`) : '';
    out.print(`  ${mark} ${path}  ${op.padEnd(9)}  ${c.dim(ch.artifact.description)}${mergeSummary(ch)}${edited}${link}`);
  }
  for (const path of plan.remove) out.print(`  ${c.red('-')} ${tilde(path, home).padEnd(width)}  ${'remove'.padEnd(9)}  ${c.dim('no longer part of the recipe')}`);
  if (plan.renamed) {
    const old = plan.renamed.uninstall;
    out.print();
    out.print(`Leftovers of buddy "${plan.renamed.name}" (this recipe's name before the rename), taken out first:`);
    old.stop.forEach((a) => out.print(`  run ${a.argv.join(' ')}  ${c.dim(`# ${a.reason}`)}`));
    old.unmerge.forEach((u) => out.print(`  ${c.yellow('~')} ${tilde(u.artifact.path, home)}  ${c.dim(`its part out (${count(u.removed.length, 'entry', 'entries')}${u.leftForOthers.length ? `; ${u.leftForOthers.length} kept, this buddy wants them` : ''})`)}`));
    old.remove.forEach((p) => out.print(`  ${c.red('-')} ${tilde(p, home)}`));
  }
  const kept = plan.changes.flatMap((ch) =>
    ch.kept.map((k) => `${tilde(ch.artifact.path, home)}: ${describeEntry(k, ch.artifact.display !== 'secret')}`),
  );
  if (kept.length) {
    out.print();
    out.print('Kept as found (granted by hand or by Claude Code, not managed by buddy-init):');
    kept.forEach((k) => out.print(`  ${k}`));
  }
  if (plan.actions.length) {
    out.print();
    out.print('Then run:');
    plan.actions.forEach((a) => out.print(`  ${a.cwd ? `(in ${tilde(a.cwd, home)}) ` : ''}${a.root ? 'sudo ' : ''}${a.argv.join(' ')}  ${c.dim(`# ${a.reason}`)}`));
  }
  if (plan.skipped.length) {
    out.print();
    out.print('Not run:');
    plan.skipped.forEach((s) => out.print(`  ${s.action.root ? 'sudo ' : ''}${s.action.argv.join(' ')}  ${c.dim(`# ${s.why}`)}`));
  }
  plan.notes.forEach((n) => out.warn(n));
  const missing = requirements.filter((r) => !r.ok);
  if (missing.length) {
    out.print();
    out.print('Target requirements:');
    for (const r of requirements) {
      out.print(`  ${r.ok ? c.green('ok ') : r.byApply ? c.cyan('apply') : r.warning ? c.yellow('warn') : c.red('missing')} ${r.what}: ${r.detail}${r.fix ? c.dim(`  fix: ${r.fix}`) : ''}`);
    }
  }
  const bodies = diff ? plan.changes.flatMap((ch) => changeBody(ch) ?? []) : [];
  if (bodies.length) {
    out.print();
    bodies.forEach((b) => out.print(colorDiff(b, out)));
  }
}

/**
 * What still stands between the applied files and a running buddy (claude not installed, no systemd...):
 * said last, after apply, so a "done" is never the last word on a box where nothing can start.
 */
export function printStillMissing(requirements: Requirement[], out: Output): boolean {
  const missing = requirements.filter((r) => !r.ok && !r.byApply && !r.warning);
  if (!missing.length) return false;
  out.print(out.c.yellow(`\nThe files are in place, but the buddy cannot run until ${missing.length === 1 ? 'this is' : 'these are'} done:`));
  missing.forEach((r) => out.print(`  ${out.c.red('missing')} ${r.what}: ${r.detail}${r.fix ? `\n          fix: ${r.fix}` : ''}`));
  out.print('  then run apply again.');
  return true;
}

function colorDiff(text: string, out: Output): string {
  const { c } = out;
  return text
    .split('\n')
    .map((l) => (l.startsWith('+') && !l.startsWith('+++') ? c.green(l) : l.startsWith('-') && !l.startsWith('---') ? c.red(l) : l.startsWith('@@') ? c.cyan(l) : l))
    .join('\n');
}

export function planJson(plan: Plan, requirements: Requirement[]): object {
  return {
    target: plan.target,
    changes: plan.changes.map((ch) => ({
      path: ch.artifact.path,
      op: ch.op,
      kind: ch.artifact.kind,
      description: ch.artifact.description,
      mode: octal(ch.mode),
      effects: ch.artifact.effects,
      added: ch.added.map((e) => describeEntry(e, ch.artifact.display !== 'secret')),
      removed: ch.removed.map((e) => describeEntry(e, ch.artifact.display !== 'secret')),
      kept: ch.kept.map((e) => describeEntry(e, ch.artifact.display !== 'secret')),
      editedSinceApply: ch.editedSinceApply,
      ...(ch.linkTo ? { linkTo: ch.linkTo } : {}),
      ...(ch.artifact.display === 'diff' && ch.op !== 'unchanged' ? { diff: changeBody(ch) } : {}),
    })),
    remove: plan.remove,
    ...(plan.renamed ? { renamed: uninstallSummary(plan.renamed.uninstall) } : {}),
    actions: plan.actions.map((a) => ({ command: a.argv, root: Boolean(a.root), reason: a.reason, ...(a.cwd ? { cwd: a.cwd } : {}) })),
    skipped: plan.skipped.map((s) => ({ command: s.action.argv, why: s.why })),
    notes: plan.notes,
    requirements,
  };
}
