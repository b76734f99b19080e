#!/usr/bin/env python3
"""A minimal stdlib PreToolUse hook of the kind the reference article sketches (shlex splitting, a verb
table). Only a latency reference for the benchmark: it is not safe and buddy-init does not use it."""
import json, shlex, sys

SAFE = {"ls", "cat", "grep", "head", "tail", "wc", "git", "echo", "pwd", "find", "sort", "uniq", "cut"}
payload = json.load(sys.stdin)
cmd = payload.get("tool_input", {}).get("command", "")
pieces = [p for p in cmd.replace("&&", "|").replace("||", "|").replace(";", "|").split("|") if p.strip()]
try:
    if pieces and all(shlex.split(p)[0] in SAFE for p in pieces):
        print(json.dumps({"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "allow"}}))
except ValueError:
    pass
