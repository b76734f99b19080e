// Issue 19: how fast a deaf chat is noticed and healed, on the booted VPS under systemd, with the
// stand-in claude (the real one needs an account to reach its prompt; the stand-in runs each --channels
// plugin's server as its child from the plugin's folder, as Claude Code does, and answers
// /reload-plugins by starting it again; test/client/plugin.test.ts measures the real 2.1.332 once per
// run). Times are taken inside the guest: a shell kills the server and polls every 5 ms for the new one;
// the detection time is the journal's own timestamp of the supervisor's line.
import { join } from 'node:path';
import { CLI, discordToken, onLaptop, tempDir, writeFile } from '../test/helpers.js';
import { Vps } from '../test/vps/vps.js';
import { fmt, machine, rounds, stats, table, timeProcess } from './lib.js';

const NAME = 'deaf';
const PLUGIN = 'discord@claude-plugins-official';
const vps = new Vps();
await vps.boot();
const guest = (script: string): string => {
  const r = vps.ssh(script);
  if (r.code !== 0) throw new Error(`guest script failed (${r.code}): ${r.stderr}${r.stdout}\n${vps.ssh(`journalctl --user -u ${NAME}.service -n 30 --no-pager`).stdout}`);
  return r.stdout.trim();
};
const SERVER = `/home/ada/.claude/plugins/cache/${PLUGIN}/server.mjs`;
// The stand-in claude's only children are its plugins' servers (no pattern to match: a pattern in a
// guest script would match the shell running it).
const serverPid = `pgrep -P $(tmux -L buddy-init-${NAME} list-panes -F '#{pane_pid}')`;

try {
  const recipe = writeFile(
    join(tempDir(), 'deaf.yaml'),
    `name: ${NAME}\nworkdir: ~/work\nchannels:\n  discord:\n    token: { env: BENCH_DISCORD_TOKEN }\n    allowFrom: ['184012345678901234']\n    alerts: false\n`,
  );
  timeProcess(onLaptop([process.execPath, CLI, 'apply', '--recipe', recipe, '--host', vps.destination(), '--yes'], vps.laptop), undefined, {
    ...process.env,
    HOME: vps.laptop,
    SSH_AUTH_SOCK: '',
    BENCH_DISCORD_TOKEN: discordToken('bench'),
  });
  // The stand-in's `plugin install` recorded the plugin in its cache folder: its server lives there.
  guest(`mkdir -p $(dirname ${SERVER}) && echo 'setInterval(() => {}, 1 << 30);' > ${SERVER}`);
  guest(`systemctl --user restart ${NAME}.service`);
  // The supervisor gives a fresh claude 45 s to start its plugins' servers before it judges them.
  guest(`i=0; until ${serverPid} >/dev/null; do i=$((i+1)); [ $i -gt 3000 ] && exit 1; sleep 0.01; done; sleep 47`);

  const detect: number[] = [];
  const heal: number[] = [];
  for (let i = 0; i < rounds(10, 3); i++) {
    const journal = `journalctl --user -u ${NAME}.service -o short-unix --no-pager`;
    const out = guest(
      [
        `missing=$(${journal} | grep -c 'its server is not running'); back=$(${journal} | grep -c 'its server is back')`,
        `old=$(${serverPid} | head -n 1)`,
        'killed=$(date +%s%3N); kill -9 $old',
        `i=0; until new=$(${serverPid} | head -n 1) && [ -n "$new" ] && [ "$new" != "$old" ]; do i=$((i+1)); [ $i -gt 12000 ] && exit 1; sleep 0.005; done`,
        'healed=$(date +%s%3N)',
        // The supervisor's own lines: when it noticed, and that it saw the server back (the incident closed).
        `i=0; until [ $(${journal} | grep -c 'its server is back') -gt $back ]; do i=$((i+1)); [ $i -gt 200 ] && exit 1; sleep 0.1; done`,
        `seen=$(${journal} | grep 'its server is not running' | sed -n "$((missing + 1))p" | cut -d' ' -f1)`,
        'echo $killed $healed $seen',
      ].join('\n'),
    );
    const [killed, healed, seen] = out.split(' ').map(Number) as [number, number, number];
    detect.push(seen * 1000 - killed);
    heal.push(healed - killed);
  }
  const d = stats(detect);
  const h = stats(heal);
  console.log(`machine: ${machine()}\n`);
  console.log(
    table(
      ['what', 'runs', 'median ms', 'min', 'max', 'goal'],
      [
        ['plugin server SIGKILL -> supervisor notices', d.n, fmt(d.median, 0), fmt(d.min, 0), fmt(d.max, 0), '-'],
        ['plugin server SIGKILL -> new server running (/reload-plugins)', h.n, fmt(h.median, 0), fmt(h.min, 0), fmt(h.max, 0), '<= 30000'],
      ],
    ),
  );
  const journal = guest(`journalctl --user -u ${NAME}.service --no-pager | grep -c 'restarting claude' || true`);
  console.log(`\nclaude restarted by a heal: ${journal} times (every heal above was /reload-plugins in the same claude when 0)`);
} finally {
  vps.stop();
}
