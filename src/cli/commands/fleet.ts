/**
 * plan / apply / status for every host of an inventory, in parallel: one line per host as it finishes,
 * a table at the end, exit 1 if any host failed. A failing host does not stop the others; each host's
 * own output is kept apart so parallel runs never interleave.
 */
import { Writable } from 'node:stream';
import { errorLine, InputError } from '../../errors.js';
import { loadInventory, type InventoryHost } from '../../fleet/inventory.js';
import { readStatus } from '../../operate/status.js';
import { applyPlan, planIsEmpty } from '../../plan/index.js';
import { VERSION } from '../../version.js';
import type { CommandContext } from '../context.js';
import { Output } from '../output.js';
import { count } from '../../words.js';
import { openBuddy, originOf } from '../pipeline.js';
import { buildPlan, showPlan, summary } from '../hostPlan.js';

export type FleetAction = 'plan' | 'apply' | 'status';

export interface FleetArgs {
  inventory: string;
  parallel: number;
  acceptNew?: boolean;
}

interface HostResult {
  host: string;
  ok: boolean;
  summary: string;
  text: string;
}

function capture(): { out: Output; text: () => string } {
  let text = '';
  const sink = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
  return { out: new Output({ json: false, color: false, stdout: sink, stderr: sink }), text: () => text };
}

async function runHost(action: FleetAction, host: InventoryHost, argv: FleetArgs, parent: CommandContext): Promise<HostResult> {
  const { out, text } = capture();
  const ctx: CommandContext = { out, flags: { ...parent.flags, json: false, yes: true }, interactive: false };
  const targetArgs = { recipe: '', ...(host.destination ? { host: host.destination } : {}), ...(argv.acceptNew ? { acceptNew: true } : {}) };
  try {
    const loaded = host.load();
    if (action === 'status') {
      const b = await openBuddy(targetArgs, ctx, loaded);
      try {
        const s = await readStatus(b.target, b.layout, b.facts);
        const detail = `${s.service.state}, claude ${s.claude.running ? 'running' : 'not running'}${s.sessionId ? `, session ${s.sessionId.slice(0, 8)}` : ''}`;
        return { host: host.key, ok: s.up, summary: `${s.up ? 'up' : 'DOWN'}: ${detail}`, text: text() };
      } finally {
        await b.target.close();
      }
    }
    const planned = await buildPlan(targetArgs, ctx, { loaded, origin: originOf(argv.inventory, host.key), ...(action === 'apply' ? { lock: 'apply --all' } : {}) });
    try {
      showPlan(planned, out);
      const { plan } = planned;
      if (action === 'plan') return { host: host.key, ok: true, summary: planIsEmpty(plan) ? 'no changes' : summary(plan).replace(/\.$/, ''), text: text() };
      if (planIsEmpty(plan)) return { host: host.key, ok: true, summary: 'no changes', text: text() };
      const result = await applyPlan(plan, planned.target, { buddyInit: VERSION, name: loaded.recipe.name, facts: planned.facts });
      return { host: host.key, ok: true, summary: `applied: ${count(result.written.length, 'file')} written, ${result.removed.length ? `${result.removed.length} removed, ` : ''}${count(result.ran.length, 'command')} run`, text: text() };
    } finally {
      await planned.finish();
    }
  } catch (err) {
    return { host: host.key, ok: false, summary: `FAILED: ${errorLine(err)}`, text: text() };
  }
}

export async function runFleet(action: FleetAction, argv: FleetArgs, ctx: CommandContext): Promise<void> {
  const { out } = ctx;
  if (action === 'apply' && !ctx.flags.yes) throw new InputError('apply --all changes every host: pass --yes (there is no per-host confirmation)');
  if (!(argv.parallel >= 1)) throw new InputError(`--parallel ${argv.parallel}: must be 1 or more`);
  const hosts = loadInventory(argv.inventory);
  const results: HostResult[] = new Array(hosts.length);
  // Entries that reach the same destination (two buddies of one user) run one after the other: their
  // applies merge into the same shared files (~/.claude.json), and side by side one would lose the
  // other's keys. Different destinations run in parallel.
  const groups = new Map<string, number[]>();
  for (const [i, h] of hosts.entries()) {
    const key = h.destination ?? 'local';
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  const queue = [...groups.values()];
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const i of group) {
        const r = await runHost(action, hosts[i]!, argv, ctx);
        results[i] = r;
        if (!out.json) out.print(`[${r.host}] ${r.ok ? out.c.green(r.summary) : out.c.red(r.summary)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(argv.parallel, queue.length) }, worker));
  if (out.json) {
    out.printJson(results.map(({ host, ok, summary }) => ({ host, ok, summary })));
  } else {
    if (action === 'plan') for (const r of results) if (r.text.trim()) out.print(`\n=== ${r.host}\n${r.text.trimEnd()}`);
    const width = Math.max(4, ...results.map((r) => r.host.length));
    out.print(`\n${'host'.padEnd(width)}  result`);
    for (const r of results) out.print(`${r.host.padEnd(width)}  ${r.ok ? out.c.green(r.summary) : out.c.red(r.summary)}`);
    const failed = results.filter((r) => !r.ok).length;
    out.print(failed ? out.c.red(`${failed} of ${count(results.length, 'host')} failed.`) : out.c.green(`All ${count(results.length, 'host')} ok.`));
  }
  if (results.some((r) => !r.ok)) ctx.exitCode = 1;
}
