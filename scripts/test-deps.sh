#!/bin/sh
# Installs the system packages the tests use (real tmux, python3 for plist parsing, OpenSSH, sudo,
# systemd-nspawn and debootstrap for the booted VPS container, ...).
# Idempotent: installs only what is missing. Needs root (or sudo) on a Debian/Ubuntu machine.
#   usage: scripts/test-deps.sh [bench]     "bench" adds what `npm run bench` compares against (Ansible)
set -eu
need=""
command -v tmux >/dev/null 2>&1 || need="$need tmux"
command -v zsh >/dev/null 2>&1 || need="$need zsh" # the zsh completion script is parsed by zsh
command -v python3 >/dev/null 2>&1 || need="$need python3"
command -v git >/dev/null 2>&1 || need="$need git"
[ -x /usr/sbin/sshd ] || need="$need openssh-server"
command -v ssh-keygen >/dev/null 2>&1 && command -v ssh >/dev/null 2>&1 && command -v ssh-agent >/dev/null 2>&1 || need="$need openssh-client"
# unshare and mount: a test laptop's folder is mounted on the home, where ssh looks for ~/.ssh.
[ -x /usr/bin/unshare ] || need="$need util-linux"
[ -x /bin/mount ] || need="$need mount"
command -v pkill >/dev/null 2>&1 || need="$need procps"
command -v systemd-notify >/dev/null 2>&1 || need="$need systemd"
command -v sudo >/dev/null 2>&1 || need="$need sudo"
command -v systemd-nspawn >/dev/null 2>&1 || need="$need systemd-container"
command -v debootstrap >/dev/null 2>&1 || need="$need debootstrap"
command -v ip >/dev/null 2>&1 || need="$need iproute2"
# The hook's attack corpus is run for real with the tools it aims through (test/hook/harm.ts).
command -v jq >/dev/null 2>&1 || need="$need jq"
command -v xxd >/dev/null 2>&1 || need="$need xxd"
command -v strings >/dev/null 2>&1 || need="$need binutils"
command -v zip >/dev/null 2>&1 || need="$need zip"
command -v less >/dev/null 2>&1 || need="$need less"
command -v cloud-init >/dev/null 2>&1 || need="$need cloud-init"
# Claude Code's sandbox (the real client runs under it in the tests): bubblewrap, and socat for its proxy.
command -v bwrap >/dev/null 2>&1 || need="$need bubblewrap"
command -v socat >/dev/null 2>&1 || need="$need socat"
if [ "${1:-}" = bench ]; then command -v ansible-playbook >/dev/null 2>&1 || need="$need ansible-core"; fi
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "test-deps: missing:$need; install them (apt-get install$need) or run as root" >&2
    exit 1
  fi
else sudo=""; fi
echo "test-deps: installing$need" >&2
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
