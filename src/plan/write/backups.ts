/**
 * The backups apply keeps of the files it replaces, under `<state>/backups/<stamp>/<path>`: never a
 * secret (a whole secret file is not kept at all, a shared one with its values sealed), and only the
 * newest few of each file.
 */
import { posix } from 'node:path';
import type { Artifact, ManagedJson } from '../../render/index.js';
import type { Target } from '../../target/index.js';
import { isEnvFile } from '../compute/envfile.js';
import type { Change } from '../compute/change.js';
import type { Plan } from '../compute/plan.js';
import { managedPaths, type Sealer } from '../record/seal.js';

/** Backups kept of each file: enough to undo the last few applies, few enough not to pile up. */
export const BACKUPS_PER_FILE = 5;

/** What to keep of a file apply replaces: its text, masked when it holds secrets, or nothing. */
export function backupText(artifact: Artifact, before: string, owned: ManagedJson | undefined, sealer: Sealer): string | undefined {
  if (artifact.display === 'summary') return undefined; // a runtime bundle: the release has it
  if (artifact.display !== 'secret') return before;
  if (artifact.kind === 'file') return undefined; // entirely buddy-init's: nothing of a person's to keep
  return sealer.maskForBackup(before, artifact.kind === 'env-merge' ? 'env' : 'json', [...managedPaths(artifact.managed, owned), ...CREDENTIAL_KEYS]);
}

/** Keeps what `change` replaces under this apply's `stamp`; returns the backup's path (none for a new or secret file). */
export async function backUp(target: Target, change: Change, plan: Pick<Plan, 'layout' | 'previous' | 'sealer'>, stamp: string): Promise<string | undefined> {
  const kept = change.before === undefined ? undefined : backupText(change.artifact, change.before, plan.previous?.files[change.artifact.path]?.owned, plan.sealer);
  if (kept === undefined) return undefined;
  const backup = posix.join(plan.layout.backupsDir, stamp, change.artifact.path);
  await target.writeAtomic(backup, kept, 0o600);
  return backup;
}

/**
 * After an apply: only the newest backups of each file; those of a version that kept secrets in clear
 * are scrubbed (before the record that says so is rewritten, so a failure here is retried next time).
 */
export async function tidyAfterApply(target: Target, plan: Plan, madeBackups: boolean): Promise<void> {
  if (!madeBackups && !plan.previous?.legacy) return;
  await tidyBackups(target, plan.layout.backupsDir, plan.previous?.legacy ? { scrub: { artifacts: plan.changes.map((c) => c.artifact), sealer: plan.sealer } } : {});
}

/** Where Claude Code keeps credentials of its own in a shared JSON file (~/.claude.json). */
const CREDENTIAL_KEYS = [['primaryApiKey']];

/**
 * The secret artifact a backed-up path was: one the recipe renders, or by its name one it no longer
 * does (a chat channel's .env, an auth.env of an earlier recipe).
 */
function secretArtifactAt(path: string, artifacts: Artifact[]): Artifact | undefined {
  const rendered = artifacts.find((a) => a.path === path);
  if (rendered) return rendered.display === 'secret' ? rendered : undefined;
  const base = { path, mode: 0o600, description: '', effects: [], display: 'secret' as const };
  if (isEnvFile(path)) return { ...base, kind: 'env-merge', managed: { values: [], members: [] } };
  if (posix.basename(path) === 'auth.env') return { ...base, kind: 'file', content: '' };
  return undefined;
}

/** Every file under `dir` (absolute paths), through the target (it may be at the end of SSH). */
async function filesUnder(target: Target, dir: string): Promise<string[]> {
  const names = await target.list(dir);
  if (!names) return [];
  const out: string[] = [];
  for (const name of names) {
    const path = posix.join(dir, name);
    if ((await target.stat(path))?.isDirectory) out.push(...(await filesUnder(target, path)));
    else out.push(path);
  }
  return out;
}

/**
 * Keeps the newest BACKUPS_PER_FILE backups of each file and drops stamps left empty. With `scrub`
 * (backups from a version that kept secrets in clear), every kept backup of a secret artifact is
 * masked or, for a whole secret file, deleted.
 */
async function tidyBackups(target: Target, backupsDir: string, options: { scrub?: { artifacts: Artifact[]; sealer: Sealer } } = {}): Promise<void> {
  const stamps = ((await target.list(backupsDir)) ?? []).sort().reverse();
  const seen = new Map<string, number>();
  for (const stamp of stamps) {
    const root = posix.join(backupsDir, stamp);
    for (const file of await filesUnder(target, root)) {
      const original = file.slice(root.length);
      const count = (seen.get(original) ?? 0) + 1;
      seen.set(original, count);
      const artifact = options.scrub && secretArtifactAt(original, options.scrub.artifacts);
      if (count > BACKUPS_PER_FILE) {
        await target.remove(file);
        continue;
      }
      if (!artifact) continue;
      const text = (await target.read(file))?.toString('utf8') ?? '';
      const kept = backupText(artifact, text, undefined, options.scrub!.sealer);
      if (kept === undefined) await target.remove(file);
      else if (kept !== text) await target.writeAtomic(file, kept, 0o600);
    }
    if ((await filesUnder(target, root)).length === 0) await target.remove(root);
  }
}
