// Render and plan for a 20-host inventory.
//   render: the pure step in this process (recipe layers + overrides -> artifacts), all 20 hosts.
//   Memory is the CLI's: its peak RSS, which holds every host's renderings and connections.
//   plan --all: the CLI end to end, 20 SSH connections to a real OpenSSH server on loopback (one sshd,
//   twenty buddies of one user: each host entry is its own connection, probe, reads and digest), at
//   the default --parallel 4 and at --parallel 20. Peak RSS of the CLI process from getrusage.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventory } from '../src/fleet/inventory.js';
import { renderBuddy } from '../src/render/index.js';
import { CLI, discordToken, linuxFacts, onLaptop, ROOT, tempDir, writeFile } from '../test/helpers.js';
import { TestSshd } from '../test/ssh/sshd.js';
import { fmt, machine, rounds, stats, table, timeProcess } from './lib.js';

const HOSTS = 20;
const n = rounds(5, 2);
const sshd = new TestSshd();
// Twenty hosts would be twenty sshds; this one takes twenty connections at once (its default MaxStartups
// of 10 starts dropping new connections when more than ten are still logging in).
await sshd.start(['MaxStartups 100']);
try {
  sshd.trust();
  const dir = tempDir('buddy-bench-fleet-');
  writeFile(join(dir, 'base.yaml'), 'name: base\nextends: balanced\nworkdir: ~/work\nchannels:\n  discord:\n    token: { env: BENCH_TOKEN }\n    allowFrom: ["1"]\n');
  const inventory = writeFile(
    join(dir, 'inventory.yaml'),
    [
      'defaults:',
      '  recipe: ./base.yaml',
      'hosts:',
      ...Array.from({ length: HOSTS }, (_, i) => {
        const name = `host${String(i + 1).padStart(2, '0')}`;
        return `  ${name}: { host: "${sshd.destination()}", overrides: { name: ${name}, workdir: ~/${name}, permissions: { allow: ["Bash(make test-${i}:*)"] } } }`;
      }),
      '',
    ].join('\n'),
  );

  // In process: every host's recipe loaded and rendered, repeated.
  const runtime = {
    version: '0.0.0-bench',
    supervisor: readFileSync(join(ROOT, 'dist', 'runtime', 'supervisor.mjs'), 'utf8'),
    hook: readFileSync(join(ROOT, 'dist', 'runtime', 'hook.cjs'), 'utf8'),
  };
  const secrets = new Map([['channels.discord.token', discordToken('bench')]]);
  const renderAll = () => loadInventory(inventory).map((host) => renderBuddy(host.load().recipe, linuxFacts(), { secrets, runtime, now: Date.now() }));
  renderAll(); // warm: templates compiled, modules loaded
  const renderMs: number[] = [];
  for (let i = 0; i < rounds(20, 3); i++) {
    const t0 = performance.now();
    renderAll();
    renderMs.push(performance.now() - t0);
  }
  const artifacts = renderAll().reduce((sum, r) => sum + r.artifacts.length, 0);

  // The CLI: wall time and the peak RSS of the process (python's getrusage of its child).
  const env = { ...process.env, HOME: sshd.laptop, SSH_AUTH_SOCK: '', NO_COLOR: '1', BENCH_TOKEN: discordToken('bench') };
  const measured = (args: string[]) => {
    const r = timeProcess(
      onLaptop(['python3', '-c', 'import resource, subprocess, sys; c = subprocess.run(sys.argv[1:], capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(c.returncode)', process.execPath, CLI, ...args], sshd.laptop),
      undefined,
      env,
    );
    return { ms: r.ms, rssKb: Number(r.stdout.trim()) };
  };
  const runs: Record<string, { ms: number[]; rss: number[] }> = {};
  const variants: Record<string, string[]> = {
    'plan, 1 host': ['plan', '--recipe', join(dir, 'base.yaml'), '--host', sshd.destination()],
    [`plan --all, ${HOSTS} hosts, --parallel 4`]: ['plan', '--all', '--inventory', inventory],
    [`plan --all, ${HOSTS} hosts, --parallel 20`]: ['plan', '--all', '--inventory', inventory, '--parallel', '20'],
  };
  for (let i = 0; i < n; i++) {
    for (const [name, args] of Object.entries(variants)) {
      const m = measured(args);
      runs[name] ??= { ms: [], rss: [] };
      runs[name]!.ms.push(m.ms);
      runs[name]!.rss.push(m.rssKb);
    }
  }

  console.log(`${HOSTS}-host inventory, ${n} rounds interleaved; ${machine()}\n`);
  const r = stats(renderMs);
  console.log(
    `render in process: ${HOSTS} hosts (${artifacts} artifacts) in ${fmt(r.median)} ms median (min ${fmt(r.min)}, max ${fmt(r.max)}, ${r.n} passes)\n`,
  );
  console.log(
    table(
      ['CLI run', 'median s', 'min', 'max', 'peak RSS MiB'],
      Object.entries(runs).map(([name, v]) => {
        const s = stats(v.ms);
        return [name, fmt(s.median / 1000, 2), fmt(s.min / 1000, 2), fmt(s.max / 1000, 2), fmt(stats(v.rss).max / 1024)];
      }),
    ),
  );
} finally {
  sshd.stop();
}
