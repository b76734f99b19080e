/**
 * The credential files no agent command may read: one table for both locks. The hook refuses a line
 * that reads one (with its reason); the OS sandbox makes each unreadable to every sandboxed command.
 * Paths are relative to the home folder; a leading `!` excepts what the patterns before it cover
 * (public keys; the hook honours exceptions, the sandbox cannot, so it hides the whole match).
 */
export const HOME_SECRETS = [
  // Every file in ~/.ssh is a key until shown otherwise (keys are named anything: deploy, github_rsa).
  '.ssh',
  '!.ssh/*.pub',
  '!.ssh/known_hosts*',
  '!.ssh/config',
  '!.ssh/authorized_keys',
  '.aws/credentials',
  '.aws/sso/cache',
  '.aws/cli/cache',
  '.config/gh/hosts.yml',
  '.config/hub',
  '.netrc',
  '.git-credentials',
  '.docker/config.json',
  '.kube/config',
  '.npmrc',
  '.yarnrc.yml',
  '.pypirc',
  '.vault-token',
  '.terraform.d/credentials.tfrc.json',
  '.cargo/credentials',
  '.cargo/credentials.toml',
  '.gem/credentials',
  '.m2/settings-security.xml',
  '.config/gcloud/credentials.db',
  '.config/gcloud/access_tokens.db',
  '.config/gcloud/application_default_credentials.json',
  '.config/gcloud/legacy_credentials',
  '.azure/accessTokens.json',
  '.azure/msal_token_cache.json',
  '.gnupg/private-keys-v1.d',
  '.claude/.credentials.json',
  // Claude Code's own state: it keeps an API key there (primaryApiKey) when one was entered.
  '.claude.json',
  // What people typed, tokens included, and the database password files.
  '.*_history',
  '.local/share/fish/fish_history',
  '.pgpass',
  '.my.cnf',
  // The chat plugins' token files, wherever a buddy keeps its channel state.
  '.claude/channels/*/.env',
  '.claude/channels/*/buddies/*/.env',
  // buddy-init's own: the OAuth token file, and the state and backups folder.
  '.config/buddy-init/*/auth.env',
  '.local/state/buddy-init',
];

/**
 * Files that may hold secrets but that the agent also has good reasons to read: a project's `.env`
 * files, Claude Code's transcripts (what every session saw). The hook asks a person rather than deny.
 * Patterns are absolute or home-relative; `**\/` matches in any folder.
 */
export const MAYBE_SECRETS = ['**/.env', '**/.env.*', '!**/.env.example', '!**/.env.sample', '!**/.env.template', '.claude/projects'];
