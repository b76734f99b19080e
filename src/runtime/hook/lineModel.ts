/**
 * What analyze.ts makes of a line: every simple command it may run, with its arguments, input,
 * redirections and working directory. The command tables read it; a file of its own so that they need
 * not import the walker.
 */
import type { Script } from './bash/ast.js';
import type { Arg } from './bash/expand.js';

export type Stdin =
  /** Whatever the line (or an enclosing loop or group) reads: /dev/null under Claude Code. */
  | { kind: 'inherit' }
  /** The output of a previous pipeline stage. */
  | { kind: 'pipe'; from: Invocation[] }
  /** A here-document or here-string (and the scripts whose output is in it). */
  | { kind: 'text'; text: string; scripts: Script[] }
  /** A file (`< f`), possibly a process substitution (`< <(cmd)`, whose scripts are given). */
  | { kind: 'file'; target: Arg; scripts: Script[] };

export interface FileRedirect {
  op: string;
  fd?: number;
  target: Arg;
  /** Possible working directories it is resolved in (undefined: unknown). */
  cwd: string[] | undefined;
  writes: boolean;
}

export interface Invocation {
  /** Name and arguments, expanded. */
  argv: Arg[];
  /** `NAME=value` before the command. */
  env: Array<{ name: string; value: Arg }>;
  redirects: FileRedirect[];
  stdin: Stdin;
  cwd: string[] | undefined;
  /** Variables as known at this point (null: set in the line to something unknown). */
  vars: ReadonlyMap<string, string | null>;
  /** Scripts nested in each argument (`bash <(curl ...)`), by argv index. */
  argScripts: Script[][];
  inFunction: boolean;
  inLoop: boolean;
  background: boolean;
}

export interface FunctionInfo {
  name: string;
  /** Names of commands its body calls. */
  calls: string[];
  /** The body starts background jobs or pipelines (what makes recursion a fork bomb). */
  spawns: boolean;
}

export interface LineModel {
  invocations: Invocation[];
  /** Every redirection to or from a file, anywhere in the line. */
  redirects: FileRedirect[];
  functions: FunctionInfo[];
  /** Understood constructs that keep the line from being read-only (assignments that steer programs, arithmetic on untrusted text). */
  notReadOnly: string[];
  /** Reasons the model may differ from what bash does (settings, versions, context-dependent syntax). */
  inexact: string[];
  /** bash would refuse the line (from here on nothing runs). */
  error?: string;
  /** Commands whose text is only known when the line runs (`$cmd`, `eval "$x"`): nobody can check them. */
  opaque: string[];
  /** Standalone assignments (`x=1`, `export X=1`): name and value. */
  assignments: Array<{ name: string; value: Arg }>;
  /** Loops that never end and start background jobs on every turn. */
  spawnLoops: string[];
  /** Each pipeline of two or more stages: the commands of every stage. */
  pipelines: Invocation[][];
  /** Expansions of a secret's variable, anywhere in the line or in text it evals (variables.ts). */
  secretVariables: string[];
}
