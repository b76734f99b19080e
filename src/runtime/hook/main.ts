/**
 * The PreToolUse hook Claude Code runs before every Bash call. Reads the call on stdin, prints a
 * decision on stdout (or nothing), and never lets a failure turn into an allow: bad input, a crash or a
 * blown time budget all end in an explicit "ask" and a line on stderr.
 *
 *   node hook.cjs --config ~/.config/buddy-init/<name>/hook.json
 */
import { appendFileSync, mkdirSync, readFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { classifyCommand, type ClassifyContext, type Decision } from './classify.js';
import { EMPTY_HOOK_CONFIG, readHookConfig, type HookConfig } from './config.js';

export { classifyCommand, type Decision } from './classify.js';
export { analyzeLine } from './analyze.js';
export type { HookConfig } from './config.js';

/** Time the classifier may take before it gives up and asks; far below Claude Code's hook timeout. */
const BUDGET_MS = 1000;
const MAX_STDIN = 1 << 20;

interface HookIO {
  stdin: string;
  write(text: string): void;
  warn(text: string): void;
}

function output(decision: Decision): string {
  const prefix = decision.decision === 'deny' ? 'buddy-init safety hook denied this: ' : 'buddy-init: ';
  const suffix = decision.decision === 'deny' ? '. If it is really meant, a person has to run it by hand.' : '';
  return `${JSON.stringify({
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: decision.decision,
      permissionDecisionReason: `${prefix}${decision.reason}${suffix}`,
    },
  })}\n`;
}

function audit(config: HookConfig, entry: object, io: HookIO): void {
  if (!config.auditLog) return;
  try {
    mkdirSync(dirname(config.auditLog), { recursive: true, mode: 0o700 });
    appendFileSync(config.auditLog, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  } catch (err) {
    io.warn(`buddy-init hook: cannot write the audit log ${config.auditLog}: ${(err as Error).message}`);
  }
}

export function runHook(args: string[], io: HookIO): Decision {
  const started = performance.now();
  let config = EMPTY_HOOK_CONFIG;
  let command = '';
  let decision: Decision;
  let input: { tool_name?: unknown; tool_input?: { command?: unknown }; cwd?: unknown; session_id?: unknown } = {};
  try {
    const configAt = args.indexOf('--config');
    if (configAt >= 0) config = readHookConfig(args[configAt + 1] ?? '');
    if (io.stdin.length > MAX_STDIN) throw new Error('input larger than 1 MiB');
    input = JSON.parse(io.stdin) as typeof input;
    if (input.tool_name !== 'Bash') return { decision: 'none', reason: `not a Bash call (${String(input.tool_name)})` };
    if (typeof input.tool_input?.command !== 'string') throw new Error('tool_input.command is missing');
    command = input.tool_input.command;
    const ctx: ClassifyContext = {
      ...(typeof input.cwd === 'string' ? { cwd: input.cwd } : {}),
      home: process.env.HOME || homedir(),
      config,
      deadline: started + BUDGET_MS,
    };
    decision = classifyCommand(command, ctx);
  } catch (err) {
    io.warn(`buddy-init hook: ${(err as Error).message}; asking instead of deciding`);
    decision = { decision: 'ask', reason: `the safety hook failed (${(err as Error).message}), so a person decides` };
  }
  if (decision.decision !== 'none') io.write(output(decision));
  audit(config, {
    time: new Date().toISOString(),
    session: input.session_id,
    cwd: input.cwd,
    command,
    decision: decision.decision,
    reason: decision.reason,
    ms: Math.round(performance.now() - started),
  }, io);
  return decision;
}

/**
 * The call on stdin. Read with one synchronous read where the pipe allows it: process.stdin and
 * process.stdout build stream objects that cost several milliseconds of every call's start.
 */
async function readStdin(): Promise<string> {
  try {
    return readFileSync(0).subarray(0, MAX_STDIN + 1).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size > MAX_STDIN) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function hookMain(args: string[]): Promise<void> {
  // A last line of defence: whatever happens, answer "ask" well before Claude Code's timeout.
  const guard = setTimeout(() => {
    writeSync(1, output({ decision: 'ask', reason: 'the safety hook ran out of time, so a person decides' }));
    process.exit(0);
  }, BUDGET_MS * 2);
  runHook(args, {
    stdin: await readStdin(),
    write: (text) => writeSync(1, text),
    warn: (text) => writeSync(2, `${text}\n`),
  });
  clearTimeout(guard);
}

// Runs when node starts this file, not when the CLI or a test imports it. CommonJS on purpose: Node
// starts a CommonJS file ~10 ms sooner than an ES module, and the hook runs before every Bash call.
if (require.main === module) void hookMain(process.argv.slice(2));
