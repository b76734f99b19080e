/**
 * What is true on a target: OS, user, init system, tool versions, the buddy's unit state. Gathered in
 * one shell round trip (cheap over SSH), parsed here, never guessed.
 */
import semver from 'semver';
import { OperationError } from '../errors.js';
import type { Target } from './types.js';

export interface Tool {
  path: string;
  /** Normalised semver, or undefined when the tool did not say. */
  version?: string;
}

export interface Facts {
  os: 'linux' | 'macos';
  arch: string;
  user: string;
  uid: number;
  home: string;
  shell: string;
  init: 'systemd' | 'launchd' | 'none';
  /** systemd: whether the user's manager starts at boot. */
  linger: boolean;
  /** How root can be reached: we are root, sudo without a password, sudo with one, or not at all. */
  sudo: 'root' | 'passwordless' | 'password' | 'none';
  tools: { tmux?: Tool; node?: Tool; npm?: Tool; claude?: Tool; bun?: Tool; bwrap?: Tool; socat?: Tool; systemdRun?: Tool; launchctl?: Tool; loginctl?: Tool };
  /** State of this buddy's service as the init system sees it. */
  service: { enabled: boolean; active: boolean };
  /** The git top level that holds the workdir (Claude Code keys trust by it), if any. */
  workdirGitRoot?: string;
  /** The URLs of the workdir's git remotes (their hosts may be reached from the sandbox). */
  workdirRemotes?: string[];
  /** Whether Claude Code's sandbox can start here, tried the way it starts it (absent: not tried). */
  sandbox?: SandboxProbe;
  /** The machine's timezone (what its services run in unless told otherwise), from /etc/localtime. */
  timezone?: string;
  /** The machine's clock when the probe ran (epoch seconds), to compare with this one's. */
  clock?: number;
  workdirExists: boolean;
}

/**
 * POSIX sh, no bashisms (targets include macOS's /bin/sh and Debian's dash), and no dollar-brace
 * (this is a JS template literal). Arguments: $1 buddy name, $2 workdir as written in the recipe (may start with ~). Prints key=value lines.
 */
export const PROBE_SCRIPT = String.raw`
name="$1"; workdir="$2"
case "$workdir" in "~") workdir="$HOME" ;; "~/"*) workdir="$HOME/$(printf '%s' "$workdir" | cut -c3-)" ;; esac
kernel=$(uname -s)
echo "kernel=$kernel"
echo "arch=$(uname -m)"
echo "uid=$(id -u)"
echo "user=$(id -un)"
echo "home=$HOME"
echo "shell=$(getent passwd "$(id -un)" 2>/dev/null | cut -d: -f7 || echo "$SHELL")"
PATH="$PATH:$HOME/.local/bin:$HOME/.npm-global/bin:$HOME/.bun/bin:$HOME/.claude/local:/usr/local/bin:/opt/homebrew/bin"
# The version queries run side by side (claude --version alone starts a Node program); each prints its
# two lines in one write, so their output never interleaves. The wait at the end collects them.
tool() { p=$(command -v "$1" 2>/dev/null) && printf '%s\n%s\n' "$2.path=$p" "$2.version=$(version "$p" "$3")"; }
version() {
  # Claude Code's version from its install layout when that says it (npm: package.json beside bin/;
  # native installer: .../claude/versions/<version>): asking the binary costs a start of Claude Code.
  real=$(readlink -f "$1" 2>/dev/null) || real=$1
  pkg=
  case "$real" in
    */claude/versions/[0-9]*.[0-9]*) basename "$real"; return ;;
    */claude-code/bin/claude.exe) pkg="$(dirname "$(dirname "$real")")/package.json" ;;
    */claude-code/cli.js) pkg="$(dirname "$real")/package.json" ;;
  esac
  if [ -n "$pkg" ] && grep -q '"name": "@anthropic-ai/claude-code"' "$pkg" 2>/dev/null; then
    grep -m 1 '"version":' "$pkg" | cut -d '"' -f 4
  else
    "$1" $2 2>/dev/null | grep -m 1 "[0-9][.][0-9]"
  fi
}
tool tmux tmux -V &
tool node node --version &
tool claude claude --version &
tool bun bun --version &
tool bwrap bwrap --version &
tool socat socat -V &
tool systemd-run systemdRun --version &
# npm's path is all apply needs (it installs Bun with it); asking its version costs a Node.js start.
p=$(command -v npm 2>/dev/null) && echo "npm.path=$p"
p=$(command -v launchctl 2>/dev/null) && echo "launchctl.path=$p"
p=$(command -v loginctl 2>/dev/null) && echo "loginctl.path=$p"
if [ -d /run/systemd/system ]; then echo "init=systemd"; elif [ "$kernel" = Darwin ]; then echo "init=launchd"; else echo "init=none"; fi
[ -e "/var/lib/systemd/linger/$(id -un)" ] && echo "linger=yes"
if [ "$(id -u)" = 0 ]; then echo "sudo=root"
elif command -v sudo >/dev/null 2>&1; then
  if sudo -n true >/dev/null 2>&1; then echo "sudo=passwordless"; else echo "sudo=password"; fi
else echo "sudo=none"; fi
if [ -d /run/systemd/system ]; then
  [ -n "$XDG_RUNTIME_DIR" ] || XDG_RUNTIME_DIR="/run/user/$(id -u)"
  export XDG_RUNTIME_DIR
  [ "$(systemctl --user is-enabled "$name.service" 2>/dev/null)" = enabled ] && echo "service.enabled=yes"
  systemctl --user is-active --quiet "$name.service" 2>/dev/null && echo "service.active=yes"
elif [ "$kernel" = Darwin ]; then
  for domain in "gui/$(id -u)" system; do
    launchctl print "$domain/com.buddy-init.$name" >/dev/null 2>&1 && echo "service.enabled=yes" && echo "service.active=yes"
  done
fi
echo "clock=$(date +%s)"
tz=$(readlink /etc/localtime 2>/dev/null | sed 's|.*zoneinfo/||')
echo "timezone=\${tz:-UTC}"
if [ -d "$workdir" ]; then
  echo "workdir.exists=yes"
  root=$(git -C "$workdir" rev-parse --show-toplevel 2>/dev/null) && echo "workdir.gitRoot=$root"
  echo "workdir.remotes=$(git -C "$workdir" remote -v 2>/dev/null | awk '{print $2}' | sort -u | tr '\n' ' ')"
fi
# Claude Code's sandbox: bubblewrap with the namespaces Claude Code asks of it (Linux), Seatbelt (macOS).
sandbox_try() {
  if [ "$kernel" = Darwin ]; then
    command -v sandbox-exec >/dev/null 2>&1 || return 0
    out=$(sandbox-exec -p '(version 1)(allow default)' true 2>&1)
  elif command -v bwrap >/dev/null 2>&1; then
    out=$(bwrap --new-session --die-with-parent --unshare-net --unshare-pid --unshare-user --cap-drop ALL --cap-add CAP_SETFCAP --ro-bind / / --dev /dev --proc /proc -- true 2>&1)
  else return 0; fi
  if [ $? -eq 0 ]; then echo "sandbox.probe=ok"; else echo "sandbox.probe=$(printf '%s' "$out" | tr '\n' ' ' | cut -c1-200)"; fi
}
sandbox_try &
for f in /proc/sys/user/max_user_namespaces /proc/sys/kernel/unprivileged_userns_clone /proc/sys/kernel/apparmor_restrict_unprivileged_userns; do
  [ -r "$f" ] && echo "sandbox.$(basename "$f")=$(cat "$f")"
done
wait
exit 0
`;

export function parseProbe(output: string): Facts {
  const kv = new Map<string, string>();
  for (const line of output.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  const required = (key: string) => {
    const v = kv.get(key);
    if (!v) throw new OperationError(`the target did not report ${key}; is it a POSIX system with sh?`);
    return v;
  };
  const tool = (key: string): Tool | undefined => {
    const path = kv.get(`${key}.path`);
    if (!path) return undefined;
    const version = semver.coerce(kv.get(`${key}.version`) ?? '')?.version;
    return version ? { path, version } : { path };
  };
  const kernel = required('kernel');
  if (kernel !== 'Linux' && kernel !== 'Darwin') throw new OperationError(`unsupported operating system ${kernel}`);
  const tools: Facts['tools'] = {};
  for (const key of ['tmux', 'node', 'npm', 'claude', 'bun', 'bwrap', 'socat', 'systemdRun', 'launchctl', 'loginctl'] as const) {
    const t = tool(key);
    if (t) tools[key] = t;
  }
  const gitRoot = kv.get('workdir.gitRoot');
  const probe = kv.get('sandbox.probe');
  const sysctl = (name: string) => (kv.has(`sandbox.${name}`) ? Number(kv.get(`sandbox.${name}`)) : undefined);
  return {
    os: kernel === 'Darwin' ? 'macos' : 'linux',
    arch: kv.get('arch') ?? 'unknown',
    user: required('user'),
    uid: Number(required('uid')),
    home: required('home'),
    shell: kv.get('shell') ?? '/bin/sh',
    init: (kv.get('init') as Facts['init'] | undefined) ?? 'none',
    linger: kv.get('linger') === 'yes',
    sudo: (kv.get('sudo') as Facts['sudo'] | undefined) ?? 'none',
    tools,
    service: { enabled: kv.get('service.enabled') === 'yes', active: kv.get('service.active') === 'yes' },
    ...(gitRoot ? { workdirGitRoot: gitRoot } : {}),
    ...(kv.get('workdir.remotes') ? { workdirRemotes: kv.get('workdir.remotes')!.split(' ').filter(Boolean) } : {}),
    ...(probe
      ? {
          sandbox: {
            probe,
            ...definedOnly({
              maxUserNamespaces: sysctl('max_user_namespaces'),
              unprivilegedUsernsClone: sysctl('unprivileged_userns_clone'),
              apparmorRestrictsUserns: sysctl('apparmor_restrict_unprivileged_userns'),
            }),
          },
        }
      : {}),
    ...(kv.get('timezone') ? { timezone: kv.get('timezone') } : {}),
    ...(Number(kv.get('clock')) > 0 ? { clock: Number(kv.get('clock')) } : {}),
    workdirExists: kv.get('workdir.exists') === 'yes',
  };
}

/** What the sandbox probe found: `ok`, or the first line bubblewrap (or sandbox-exec) said; and the sysctls that decide it. */
export interface SandboxProbe {
  probe: string;
  maxUserNamespaces?: number;
  unprivilegedUsernsClone?: number;
  apparmorRestrictsUserns?: number;
}

const definedOnly = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export async function gatherFacts(target: Target, buddyName: string, workdir: string): Promise<Facts> {
  const result = await target.run(['sh', '-c', PROBE_SCRIPT, 'buddy-init-probe', buddyName, workdir]);
  if (result.code !== 0) {
    throw new OperationError(`gathering facts on ${target.label} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
  }
  return parseProbe(result.stdout);
}
