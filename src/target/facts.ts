/**
 * What is true on a target: OS, user, init system, tool versions, the buddy's unit state. Gathered in
 * one shell round trip (cheap over SSH), parsed here, never guessed.
 */
import semver from 'semver';
import { OperationError } from '../errors.js';
import { BUN_INSTALLER, bunWork, type BunWanted } from './bun.js';
import { sandboxRequirement } from './sandbox.js';
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

export interface Requirement {
  what: string;
  ok: boolean;
  detail: string;
  /** One command or sentence that fixes it. */
  fix?: string;
  /** Not ok, but the buddy works: shown as a warning, not as missing. */
  warning?: boolean;
  /** Not there yet, and apply's plan takes care of it. */
  byApply?: boolean;
}

export const MIN_VERSIONS = { tmux: '3.3.0', node: '18.0.0' } as const;

/**
 * Claude Code versions that matter to a buddy (its changelog; FACTS.md). The oldest supported is the
 * oldest the real-client tests prove (test/client/claude.ts says why that one).
 */
export const CLAUDE_VERSIONS = {
  oldestSupported: '2.1.197',
  /** From here the npm package declares engines.node >= 22 (the native installer needs no Node). */
  npmNeedsNode22: '2.1.198',
  /** CLAUDE_CODE_SUBPROCESS_ENV_SCRUB, and Bash in its own PID namespace on Linux. */
  envScrub: '2.1.98',
  /** --channels with API-key auth. */
  channelsWithApiKey: '2.1.128',
  /** A transient 401 no longer swaps a long-lived CLAUDE_CODE_OAUTH_TOKEN for a short-lived login. */
  longLivedOauthFix: '2.1.225',
  /**
   * `claude plugin install <name> --marketplace <source>` adds the marketplace in the same run (one start
   * of Claude Code instead of two). The oldest version known here to have it: 2.1.332 has it, 2.1.197 not.
   */
  installWithMarketplace: '2.1.332',
  /**
   * sandbox.network.strictAllowlist: a host outside the list is refused. Before it (measured on 2.1.197),
   * Claude Code asks a person ("Network request outside of sandbox"), and a yes lets the command out.
   */
  strictHostList: '2.1.219',
  /** `claude sandbox status`: the effective sandbox as Claude Code reads it. The oldest version known here to have it (2.1.197 would take the words as a prompt). */
  sandboxStatus: '2.1.332',
} as const;

/** The install command people are pointed to: the native installer (no Node.js needed). */
export const CLAUDE_INSTALL = 'curl -fsSL https://claude.ai/install.sh | bash';

/**
 * Whether claude can keep credentials out of its subprocesses here: on Linux its sandbox needs bubblewrap
 * (without it claude refuses to start) and socat (without it every Bash call fails).
 */
export const canScrubSubprocessEnv = (facts: Facts): boolean => facts.os === 'macos' || Boolean(facts.tools.bwrap && facts.tools.socat);
const SANDBOX_TOOLS = [['bwrap', 'bubblewrap'], ['socat', 'socat']] as const;

/** What a buddy needs of the Claude Code found on the target, beyond being there. */
export interface ClaudeNeeds {
  channels: boolean;
  auth: 'oauthToken' | 'apiKey' | 'none';
  /** Bun for the channels, and whether apply may install it. */
  bun: BunWanted;
  /** Claude Code's OS sandbox around the agent's commands. */
  sandbox: boolean;
}

/**
 * Checks the facts against what a buddy needs; `claude` adds what the recipe's auth and channels ask of
 * Claude Code, and Bun for channels; `startsService` (false under --root, where nothing is started) adds
 * the init system.
 */
export function checkRequirements(facts: Facts, needs: ClaudeNeeds, startsService = true): Requirement[] {
  const apt = facts.os === 'linux' ? 'sudo apt-get install -y' : 'brew install';
  const versioned = (name: keyof Facts['tools'], label: string, min: string, fix: string): Requirement => {
    const t = facts.tools[name];
    if (!t) return { what: label, ok: false, detail: 'not found', fix };
    if (!t.version) return { what: label, ok: false, detail: `${t.path}: version unknown`, fix };
    const ok = semver.gte(t.version, min);
    return { what: label, ok, detail: `${t.version} at ${t.path}${ok ? '' : ` (needs >= ${min})`}`, ...(ok ? {} : { fix }) };
  };
  const reqs: Requirement[] = [
    versioned('node', 'node', MIN_VERSIONS.node, `${apt} nodejs (or install Node.js ${MIN_VERSIONS.node.split('.')[0]}+)`),
    versioned('tmux', 'tmux', MIN_VERSIONS.tmux, `${apt} tmux`),
    versioned('claude', 'claude', CLAUDE_VERSIONS.oldestSupported, CLAUDE_INSTALL),
    ...claudeFeatureChecks(facts, needs),
  ];
  if (needs.sandbox) {
    reqs.push(sandboxRequirement(facts));
    const version = facts.tools.claude?.version;
    if (version && semver.lt(version, CLAUDE_VERSIONS.strictHostList)) {
      reqs.push({
        what: 'sandbox host list',
        ok: false,
        warning: true,
        detail: `Claude Code ${version} asks a person before a sandboxed command reaches a host outside the list (refused without asking from ${CLAUDE_VERSIONS.strictHostList}): a yes lets it out`,
        fix: CLAUDE_INSTALL,
      });
    }
  }
  else if (facts.os === 'linux') {
    for (const [key, pkg] of SANDBOX_TOOLS) {
      const t = facts.tools[key];
      reqs.push(
        t
          ? { what: pkg, ok: true, detail: `${t.version ?? '?'} at ${t.path}` }
          : {
              what: pkg,
              ok: false,
              detail: "not found: Claude Code's sandbox needs it to keep the auth token out of the agent's Bash tool, so that protection stays off",
              fix: `${apt} ${pkg}`,
            },
      );
    }
  }
  if (needs.channels) reqs.push(bunRequirement(facts, needs.bun));
  if (facts.init === 'none' && startsService) {
    reqs.push({
      what: 'init system',
      ok: false,
      detail: 'neither systemd nor launchd is running',
      fix: 'run the supervisor yourself: buddy-init supervise --config <path shown by plan>',
    });
  }
  return reqs;
}

/** Bun as the chat plugins need it; `byApply` when apply installs it (the recipe's consent). */
function bunRequirement(facts: Facts, wanted: BunWanted): Requirement {
  const bun = facts.tools.bun;
  const work = bunWork(facts, wanted);
  if (work.kind === 'install') return { what: 'bun', ok: false, byApply: true, detail: `${work.why}: apply installs it (npm ${work.argv.slice(1).join(' ')})` };
  const fix = wanted.install
    ? `${facts.os === 'linux' ? 'sudo apt-get install -y npm' : 'brew install node'} (then apply installs Bun), or: ${BUN_INSTALLER}`
    : `set bun.install: true in the recipe (apply installs it with npm), or: ${BUN_INSTALLER}`;
  if (work.kind === 'cannot') return { what: 'bun', ok: false, detail: work.why, fix };
  if (!bun) return { what: 'bun', ok: false, detail: 'not found (the chat plugins run on Bun)', fix };
  if (!bun.version) return { what: 'bun', ok: false, detail: `${bun.path} does not run (bun --version failed), so the chat plugins cannot start`, fix };
  if (wanted.version && bun.version !== wanted.version) {
    return { what: 'bun', ok: false, warning: true, detail: `${bun.version} at ${bun.path}, not the recipe's ${wanted.version}`, fix: 'set bun.install: true in the recipe to let apply install it' };
  }
  return { what: 'bun', ok: true, detail: `${bun.version} at ${bun.path}` };
}

/**
 * What the recipe asks of the Claude Code version found, beyond the oldest supported (checked apart, and
 * already past the channel, API-key and env-scrub minimums).
 */
function claudeFeatureChecks(facts: Facts, needs: ClaudeNeeds): Requirement[] {
  const version = facts.tools.claude?.version;
  if (!version) return [];
  const checks: Requirement[] = [];
  if (needs.auth === 'oauthToken' && semver.lt(version, CLAUDE_VERSIONS.longLivedOauthFix)) {
    checks.push({
      what: 'claude OAuth token',
      ok: false,
      warning: true,
      detail: `Claude Code ${version} may swap the long-lived token for a short-lived login after a transient 401 and stop answering until restarted (fixed in ${CLAUDE_VERSIONS.longLivedOauthFix})`,
      fix: CLAUDE_INSTALL,
    });
  }
  return checks;
}
