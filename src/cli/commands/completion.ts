/**
 * Shell completion: `buddy-init completion [bash|zsh|fish]` prints a script that asks buddy-init itself
 * (`--get-yargs-completions`, answered by yargs from the command definitions) what may come next, so
 * the completions are always the real commands and flags of the installed version.
 */
import type { CommandModule } from 'yargs';
import type { CommandContext } from '../context.js';

const SCRIPTS = {
  bash: `###-begin-buddy-init-completions-###
# buddy-init completion for bash: source it, or save it as ~/.local/share/bash-completion/completions/buddy-init
_buddy_init_completions() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" IFS=$'\\n'
  COMPREPLY=( $(compgen -W "$(buddy-init --get-yargs-completions "\${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null)" -- "$cur") )
}
complete -o default -F _buddy_init_completions buddy-init
###-end-buddy-init-completions-###
`,
  zsh: `#compdef buddy-init
# buddy-init completion for zsh: save it as _buddy-init in a folder on $fpath, or source it after compinit
_buddy_init() {
  local -a reply
  reply=("\${(@f)$(buddy-init --get-yargs-completions "\${(@)words[1,CURRENT]}" 2>/dev/null)}")
  compadd -- $reply
}
compdef _buddy_init buddy-init
`,
  fish: `# buddy-init completion for fish: save it as ~/.config/fish/completions/buddy-init.fish
complete -c buddy-init -f -a '(buddy-init --get-yargs-completions (commandline -opc) (commandline -ct) 2>/dev/null)'
`,
} as const;

export type Shell = keyof typeof SCRIPTS;

export function completionCommand(ctx: () => CommandContext): CommandModule<object, { shell: Shell }> {
  return {
    command: 'completion [shell]',
    describe: 'Print a shell completion script (bash, zsh or fish; default bash)',
    builder: (y) => y.positional('shell', { choices: Object.keys(SCRIPTS) as Shell[], default: 'bash' as Shell, describe: 'the shell' }) as never,
    handler: (argv) => {
      process.stdout.write(SCRIPTS[argv.shell]);
      ctx();
    },
  };
}

/**
 * What yargs offers, made fit for a person: not the default command's `$0`, single-letter aliases as
 * `-y` (not `--y`), each once.
 */
export function tidyCompletions(words: string[]): string[] {
  const out = words
    .map((w) => w.split(':')[0]!) // yargs may append ":description"
    .filter((w) => w && w !== '$0')
    .map((w) => (/^--[A-Za-z]$/.test(w) ? w.slice(1) : w));
  return [...new Set(out)];
}
