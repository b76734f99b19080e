// The supervisor on the booted VPS of the end-to-end suite, under systemd, with the stand-in claude
// (the real one needs an Anthropic account to reach its prompt; the stand-in starts like a Node program
// and records each start with its own clock). Every time is taken inside the guest, without SSH in the
// way: a shell there does the kill and polls every 5 ms.
//   1. claude killed (SIGKILL) -> a new claude running (its start record)
//   2. supervisor killed (SIGKILL) -> systemd restarts it -> it adopts the running tmux session
//   3. RSS and CPU of the idle supervisor over a minute (default tick 30 s, watchdog pings)
import { join } from 'node:path';
import { CLI, onLaptop, tempDir, writeFile } from '../test/helpers.js';
import { Vps } from '../test/vps/vps.js';
import { fmt, machine, rounds, stats, table, timeProcess } from './lib.js';

const NAME = 'bench';
const RESTART_DELAY = 1;
const vps = new Vps();
await vps.boot();
const guest = (script: string): string => {
  const r = vps.ssh(script);
  if (r.code !== 0) throw new Error(`guest script failed (${r.code}): ${r.stderr}`);
  return r.stdout.trim();
};
const transcript = `~/.claude/projects/-home-ada-work/$(sed -n 's/.*"sessionId": *"\\([^"]*\\)".*/\\1/p' ~/.local/state/buddy-init/${NAME}/session.json).jsonl`;
const waitRunning = () =>
  guest(`i=0; until [ "$(tmux -L buddy-init-${NAME} list-panes -F '#{pane_dead}' 2>/dev/null)" = 0 ] && [ -s ${transcript} ]; do i=$((i+1)); [ $i -gt 3000 ] && exit 1; sleep 0.01; done`);

try {
  const recipe = writeFile(join(tempDir(), 'bench.yaml'), `name: ${NAME}\nworkdir: ~/work\nsupervisor: { restartDelay: ${RESTART_DELAY} }\n`);
  timeProcess(onLaptop([process.execPath, CLI, 'apply', '--recipe', recipe, '--host', vps.destination(), '--yes'], vps.laptop), undefined, { ...process.env, HOME: vps.laptop, SSH_AUTH_SOCK: '' });
  waitRunning();
  // A conversation exists once it holds a message (before that, a restart pins a new one, as Claude Code
  // refuses to resume an empty one): say one line, as the owner would.
  guest(
    `tmux -L buddy-init-${NAME} send-keys -l hello && tmux -L buddy-init-${NAME} send-keys Enter; ` +
      `i=0; until grep -q '"type":"user"' ${transcript}; do i=$((i+1)); [ $i -gt 3000 ] && exit 1; sleep 0.01; done`,
  );

  // 1. claude's death to a live claude. Kills are 11 s apart: quicker deaths in a row are a crash loop,
  // which the supervisor answers with a growing pause (on purpose).
  const respawn: number[] = [];
  for (let i = 0; i < rounds(10, 3); i++) {
    guest('sleep 11');
    const out = guest(
      [
        `t=${transcript}; n=$(grep -c '"type":"start"' $t)`,
        `pid=$(tmux -L buddy-init-${NAME} list-panes -F '#{pane_pid}')`,
        'killed=$(date +%s%3N); kill -9 $pid',
        `i=0; while [ $(grep -c '"type":"start"' $t) -le $n ]; do i=$((i+1)); [ $i -gt 2000 ] && exit 1; sleep 0.005; done`,
        `echo $killed; grep '"type":"start"' $t | tail -n 1`,
      ].join('\n'),
    );
    const [killed, line] = out.split('\n');
    respawn.push((JSON.parse(line!) as { at: number }).at - Number(killed));
  }

  // 2. The supervisor's SIGKILL to its successor's adoption (status.json: new pid, state running), the
  // claude process untouched. Includes systemd's RestartSec.
  const adoption: number[] = [];
  for (let i = 0; i < rounds(5, 2); i++) {
    const out = guest(
      [
        `status=~/.local/state/buddy-init/${NAME}/status.json`,
        `old=$(systemctl --user show ${NAME} -p MainPID --value); claude=$(tmux -L buddy-init-${NAME} list-panes -F '#{pane_pid}')`,
        'killed=$(date +%s%3N); kill -9 $old',
        `i=0; until pid=$(sed -n 's/.*"pid": *\\([0-9]*\\).*/\\1/p' $status) && [ -n "$pid" ] && [ "$pid" != "$old" ] && grep -q '"state": *"running"' $status; do i=$((i+1)); [ $i -gt 6000 ] && exit 1; sleep 0.005; done`,
        'echo $(( $(date +%s%3N) - killed ))',
        `[ "$(tmux -L buddy-init-${NAME} list-panes -F '#{pane_pid}')" = "$claude" ] && echo same-claude`,
      ].join('\n'),
    );
    const [ms, same] = out.split('\n');
    if (same !== 'same-claude') throw new Error('the restarted supervisor started a new claude instead of adopting the running one');
    adoption.push(Number(ms));
    guest('sleep 2');
  }

  // 3. Idle: RSS now and at its peak, CPU time (user + system) over the window.
  const window = process.env.BENCH_SMOKE === '1' ? 10 : 60;
  // Two readings, the window waited out here (one SSH call must not outlast the harness's timeout).
  const pid = guest(`systemctl --user show ${NAME} -p MainPID --value`);
  const cpuTicks = () => Number(guest(`awk '{print $14 + $15}' /proc/${pid}/stat`));
  const ticksPerSecond = Number(guest('getconf CLK_TCK'));
  const before = cpuTicks();
  await new Promise((r) => setTimeout(r, window * 1000));
  const cpuMs = ((cpuTicks() - before) * 1000) / ticksPerSecond;
  if (guest(`systemctl --user show ${NAME} -p MainPID --value`) !== pid) throw new Error('the supervisor restarted during the idle window');
  const rss = guest(`awk '/VmRSS/ {r = $2} /VmHWM/ {h = $2} END {print r, h}' /proc/${pid}/status`);
  const tmuxRss = guest(`awk '/VmRSS/ {print $2}' /proc/$(pgrep -f 'tmux -L buddy-init-${NAME}' | head -n 1)/status`);
  const [rssKb, hwmKb] = rss.split(' ').map(Number);

  console.log(`supervisor on the VPS (Debian 12, systemd 252, node ${guest('node --version')}), stand-in claude; ${machine()}\n`);
  const row = (what: string, samples: number[], target: string) => {
    const s = stats(samples);
    return [what, s.n, fmt(s.median, 0), fmt(s.min, 0), fmt(s.max, 0), target];
  };
  console.log(
    table(
      ['what', 'runs', 'median ms', 'min', 'max', 'target'],
      [
        row('claude SIGKILL -> new claude running', respawn, '<= 2000'),
        row(`supervisor SIGKILL -> adoption (incl. RestartSec=${RESTART_DELAY}s)`, adoption, '-'),
        row('  of which after RestartSec', adoption.map((ms) => ms - RESTART_DELAY * 1000), '-'),
      ],
    ),
  );
  console.log(
    `\nidle supervisor over ${window} s: CPU ${cpuMs} ms (${fmt((Number(cpuMs) / (window * 1000)) * 100, 2)}% of a core), ` +
      `RSS ${fmt(rssKb! / 1024)} MiB (peak ${fmt(hwmKb! / 1024)} MiB); its tmux server RSS ${fmt(Number(tmuxRss) / 1024)} MiB`,
  );
} finally {
  vps.stop();
}
