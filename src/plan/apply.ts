/**
 * Executes a plan: writes only what differs (atomically, each replaced file backed up first), records
 * what it applied, then runs the follow-up commands. A no-op plan writes nothing at all.
 */
import { posix } from 'node:path';
import { OperationError } from '../errors.js';
import type { Effect } from '../render/index.js';
import { jsonEqual } from '../runtime/shared/json.js';
import { shownPath, timeLimitSeconds, type Facts, type Target } from '../target/index.js';
import type { Action } from './actions.js';
import { backupText, tidyBackups } from './backups.js';
import { removeEmptiedChatFolders } from './chatFolder.js';
import { pluginShortfall } from './plugins.js';
import type { Change } from './change.js';
import { stateRecords, type Plan } from './plan.js';
import { storeSealKey } from './seal.js';
import { mergeInto } from './sharedWrite.js';
import { intentRecords, writeApplyState, type ApplyState } from './state.js';
import { applyUninstall } from './uninstall.js';

export interface ApplyResult {
  written: Change[];
  /** Files of an earlier apply the recipe no longer renders, deleted. */
  removed: string[];
  backups: string[];
  ran: Action[];
  stateWritten: boolean;
}

export interface ApplyOptions {
  buddyInit: string;
  name: string;
  facts: Facts;
  /** Asked once, when a root command or file needs sudo with a password; never logged. */
  sudoPassword?: () => Promise<string>;
  now?: Date;
  progress?: (line: string) => void;
}

/** After npm install: Bun must run from where the plan said, at the version asked for. */
async function verifyBun(target: Target, bun: NonNullable<Plan['bun']>): Promise<void> {
  const r = await target.run([bun.path, '--version']);
  const got = r.stdout.trim();
  if (r.code !== 0) throw new OperationError(`${bun.path}: npm install reported success, but Bun does not run: ${r.stderr.trim() || `exit ${r.code}`}`);
  if (bun.version && got !== bun.version) throw new OperationError(`${bun.path}: npm install reported success, but it is Bun ${got}, not ${bun.version}`);
}

/** Runs commands as root the way the target allows: directly, sudo -n, or sudo -S with the password on stdin. */
export class RootRunner {
  private password: string | undefined;

  constructor(
    private readonly target: Target,
    private readonly facts: Facts,
    private readonly askPassword?: () => Promise<string>,
  ) {}

  /** Runs it; returns what it printed (fails, saying why, unless it exits 0). */
  async run({ argv, root, env, cwd, limit }: Omit<Action, 'reason'>): Promise<string> {
    let command = argv;
    let input: string | undefined;
    if (root && this.facts.sudo === 'passwordless') command = ['sudo', '-n', '--', ...argv];
    else if (root && this.facts.sudo === 'password') {
      if (!this.askPassword) throw new OperationError(`${argv.join(' ')} needs sudo's password and there is no terminal to ask for it`);
      this.password ??= await this.askPassword();
      command = ['sudo', '-S', '-p', '', '--', ...argv];
      input = `${this.password}\n`;
    } else if (root && this.facts.sudo !== 'root') {
      throw new OperationError(`${argv.join(' ')} needs root and ${this.target.label} has no sudo`);
    }
    const result = await this.target.run(command, { ...(env ? { env } : {}), ...(input ? { input } : {}), ...(cwd ? { cwd } : {}), limitSeconds: timeLimitSeconds(limit) });
    if (result.code !== 0) {
      const why = (result.stderr || result.stdout).trim().split('\n').pop() ?? '';
      if (input && /incorrect password|try again|no password was provided/i.test(result.stderr)) {
        throw new OperationError(`sudo refused the password on ${this.target.label}`);
      }
      throw new OperationError(`\`${argv.join(' ')}\` failed on ${this.target.label} (exit ${result.code}): ${why}`);
    }
    return `${result.stdout}${result.stderr}`.trim();
  }
}

/**
 * A file only root may write (a LaunchDaemon plist): staged as the user in the state folder, then put
 * in place by root with cp to a temp name, chown, chmod and an atomic mv.
 */
async function writeAsRoot(target: Target, root: RootRunner, stateDir: string, path: string, content: string, mode: number): Promise<void> {
  const staged = posix.join(stateDir, 'staging', posix.basename(path));
  await target.writeAtomic(staged, content, 0o600);
  const temp = `${path}.buddy-init.tmp`;
  const script = 'set -e; cp "$1" "$2"; chown 0:0 "$2"; chmod "$3" "$2"; mv -f "$2" "$4"; rm -f "$1"';
  await root.run({ argv: ['sh', '-c', script, 'sh', staged, temp, mode.toString(8), path], root: true });
}

export async function applyPlan(plan: Plan, target: Target, options: ApplyOptions): Promise<ApplyResult> {
  if (plan.blocked) throw new OperationError(plan.blocked);
  const progress = options.progress ?? (() => {});
  const now = options.now ?? new Date();
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const result: ApplyResult = { written: [], removed: [], backups: [], ran: [], stateWritten: false };
  const final: Change[] = [];
  const root = new RootRunner(target, options.facts, options.sudoPassword);
  // The key first: a record sealed with a key that was never stored could not be read back.
  if (plan.sealKeyCreated) await storeSealKey(target, plan.layout, plan.sealer);
  const base = { format: 2 as const, buddyInit: options.buddyInit, name: options.name, appliedAt: now.toISOString(), ...(plan.origin ? { origin: plan.origin } : {}) };
  // Write-ahead: before any file is touched, the record claims what the last apply owned and what this
  // one will own, so an apply cut short at any point (a kill, a full disk) leaves a record from which the
  // next apply finishes the job and uninstall takes out all of buddy-init's part.
  if (plan.changes.some((c) => c.op !== 'unchanged') || plan.remove.length || plan.renamed) {
    const pendingEffects = [...new Set([...(plan.previous?.pendingEffects ?? []), ...plan.effects])];
    await writeApplyState(target, plan.layout.applyState, { ...base, files: intentRecords(plan.previous?.files ?? {}, stateRecords(plan.changes, plan.sealer, plan.previous?.files)), pendingEffects, interrupted: true });
  }

  // A renamed buddy's old name goes first (its unit stops before the new one starts; a Telegram bot has
  // one poller), except what this buddy claims too. Its conversation carries over when the workdir is the same.
  if (plan.renamed) {
    const old = plan.renamed.uninstall;
    progress(`taking out buddy "${plan.renamed.name}" (this recipe's name before the rename)`);
    const pin = old.layout.workdir === plan.layout.workdir ? await target.read(posix.join(old.layout.stateDir, 'session.json')) : undefined;
    if (pin && !(await target.stat(posix.join(plan.layout.stateDir, 'session.json')))) {
      await target.writeAtomic(posix.join(plan.layout.stateDir, 'session.json'), pin, 0o600);
      progress(`carried the pinned conversation of "${plan.renamed.name}" over`);
    }
    await applyUninstall(old, target, (a) => root.run(a), progress);
  }

  const asRoot = (c: Change) => Boolean(c.artifact.privileged) && !target.rebasedUnder;
  const keepBackup = async (change: Change): Promise<string | undefined> => {
    const kept = change.before === undefined ? undefined : backupText(change.artifact, change.before, plan.previous?.files[change.artifact.path]?.owned, plan.sealer);
    if (kept === undefined) return undefined;
    const backup = posix.join(plan.layout.backupsDir, stamp, change.artifact.path);
    await target.writeAtomic(backup, kept, 0o600);
    return backup;
  };
  /** Writes one change with its backup; returns what it wrote. */
  const write = async (planned: Change): Promise<{ change: Change; backup?: string }> => {
    const path = planned.artifact.path;
    if (planned.op === 'unchanged') return { change: planned };
    if (planned.artifact.kind === 'file') {
      const backup = await keepBackup(planned);
      if (asRoot(planned)) await writeAsRoot(target, root, plan.layout.stateDir, path, planned.after, planned.mode);
      else await target.writeAtomic(path, planned.after, planned.mode);
      return { change: planned, ...(backup ? { backup } : {}) };
    }
    // A shared file: merged into what is there at write time (sharedWrite.ts). The backup (of exactly
    // what was replaced) is written after, so the slow part stays out of the compare-and-rename window.
    const change = await mergeInto(target, planned.artifact, plan);
    const backup = change.op === 'unchanged' ? undefined : await keepBackup(change);
    return { change, ...(backup ? { backup } : {}) };
  };
  // The files buddy-init owns go out side by side (over SSH each write is several round trips). After
  // them (and only if they all succeeded), one at a time: the shared files, so that nothing else runs
  // while one is read, merged and replaced (the shorter that is, the less often another writer gets in
  // between), and the ones root writes, so sudo's password is asked at most once. Every write settles
  // before a failure is reported, and what was written is still listed.
  const settled = await Promise.allSettled(plan.changes.map((c) => (asRoot(c) || c.artifact.kind !== 'file' ? undefined : write(c))));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  for (const [i, planned] of plan.changes.entries()) {
    const outcome = settled[i]!;
    if (outcome.status === 'rejected' || (failed && !outcome.value)) continue;
    const done = outcome.value ?? (await write(planned));
    final.push(done.change);
    if (done.backup) result.backups.push(done.backup);
    if (done.change.op === 'unchanged') continue;
    result.written.push(done.change);
    progress(`${done.change.op === 'create' ? 'created' : 'updated'} ${shownPath(target, done.change.artifact.path)}`);
  }
  if (failed) throw failed.reason;
  for (const path of plan.remove) {
    await target.remove(path);
    result.removed.push(path);
    progress(`removed ${shownPath(target, path)}`);
  }
  // An older version's runtime folder, once emptied.
  const runtimeRoot = posix.dirname(plan.layout.runtimeDir);
  for (const dir of new Set(plan.remove.map((p) => posix.dirname(p)))) {
    if (posix.dirname(dir) === runtimeRoot) await target.removeDirectory(dir);
  }
  if (plan.remove.length) await removeEmptiedChatFolders(target, plan.layout);

  // Only the newest backups of each file; those of a version that kept secrets in clear are scrubbed
  // (before the record that says so is rewritten, so a failure here is retried by the next apply).
  if (result.backups.length || plan.previous?.legacy) {
    await tidyBackups(target, plan.layout.backupsDir, plan.previous?.legacy ? { scrub: { artifacts: plan.changes.map((c) => c.artifact), sealer: plan.sealer } } : {});
  }

  const files = stateRecords(final, plan.sealer, plan.previous?.files);
  const state = (pendingEffects: Effect[]): ApplyState => ({ ...base, files, pendingEffects });
  const previous = plan.previous;
  const recordChanged = !previous || previous.legacy || previous.interrupted || !jsonEqual(previous.files, files) || previous.pendingEffects.length > 0;
  if (plan.actions.length) {
    // Written before the commands run: if one fails, the next apply still knows what is owed.
    await writeApplyState(target, plan.layout.applyState, state(plan.effects));
    for (const action of plan.actions) {
      progress(`running ${action.root ? 'as root: ' : ''}${action.argv.join(' ')}`);
      const said = await root.run(action);
      for (const line of said ? said.split('\n') : []) progress(`  | ${line}`);
      result.ran.push(action);
    }
    // A command exiting 0 is not proof: what it installed must be there.
    const shortfall = plan.actions.some((a) => a.argv[1] === 'plugin') ? await pluginShortfall(target, plan.layout, plan.plugins) : undefined;
    if (shortfall) throw new OperationError(shortfall);
    if (plan.bun) await verifyBun(target, plan.bun);
  }
  if (recordChanged || plan.actions.length) {
    await writeApplyState(target, plan.layout.applyState, state([]));
    result.stateWritten = true;
  }
  return result;
}
