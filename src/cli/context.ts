/** What every command handler receives: parsed global flags and the output channel. */
import type { Output } from './output.js';

export interface GlobalFlags {
  json: boolean;
  yes: boolean;
  color?: boolean;
}

export interface CommandContext {
  out: Output;
  flags: GlobalFlags;
  /** True when a person is at the keyboard (prompts are possible). */
  interactive: boolean;
  /** A command's verdict when it succeeds but has bad news (status of a buddy that is down: 1). */
  exitCode?: number;
}
