// Sealed records: a secret never stored, yet still recognised by the three-way merge.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { backupText } from '../../src/plan/write/backups.js';
import { mergeManaged } from '../../src/plan/compute/merge.js';
import { Sealer } from '../../src/plan/record/seal.js';
import type { Artifact } from '../../src/render/index.js';

const sealer = new Sealer(randomBytes(32));
const KEY = 'sk-ant-api03-secret-0123456789';

describe('Sealer', () => {
  it('seals every string of an owned part and reads it back only against the same value', () => {
    // Values no hex digest can contain by chance ("abc" was one in ~20 runs).
    const owned = { values: [{ path: ['TOKEN'], value: 'tok-secret' }, { path: ['flag'], value: true }], members: [{ path: ['approved'], items: ['x1', 'x2'] }] };
    const sealed = sealer.sealOwned(owned);
    expect(JSON.stringify(sealed)).not.toMatch(/tok-secret|x1|x2/);
    expect(sealed.values[1]!.value).toBe(true);
    // The same values in the file: recognised as buddy-init's, so a merge that no longer wants them removes them.
    const doc = { TOKEN: 'tok-secret', flag: true, approved: ['x1', 'mine', 'x2'] };
    const merged = mergeManaged(doc, { values: [], members: [] }, sealer.unsealOwned(sealed, doc));
    expect(merged.document).toEqual({ approved: ['mine'] });
    // Changed by someone since: not recognised, so kept.
    const edited = { TOKEN: 'changed', approved: ['x1'] };
    expect(mergeManaged(edited, { values: [], members: [] }, sealer.unsealOwned(sealed, edited)).document).toEqual({ TOKEN: 'changed' });
  });

  it('a different key recognises nothing', () => {
    const other = new Sealer(randomBytes(32));
    expect(other.seal('abc')).not.toBe(sealer.seal('abc'));
  });

  it('backs up a secret file without its secrets', () => {
    const base = { mode: 0o600, description: '', effects: [], display: 'secret' as const };
    const env: Artifact = { ...base, kind: 'env-merge', path: '/h/.claude/channels/discord/.env', managed: { values: [{ path: ['DISCORD_BOT_TOKEN'], value: 't' }], members: [] } };
    const masked = backupText(env, `# mine\nDISCORD_BOT_TOKEN=${KEY}\nexport OTHER="${KEY}"\n`, undefined, sealer)!;
    expect(masked).not.toContain(KEY);
    expect(masked).toMatch(/^# mine\nDISCORD_BOT_TOKEN=hmac-sha256:[0-9a-f]{64}\nexport OTHER=hmac-sha256:/);
    const claude: Artifact = { ...base, kind: 'json-merge', path: '/h/.claude.json', managed: { values: [], members: [{ path: ['customApiKeyResponses', 'approved'], items: ['0123456789'] }] } };
    const json = backupText(claude, JSON.stringify({ primaryApiKey: KEY, customApiKeyResponses: { approved: [KEY.slice(-20)] }, theme: 'dark' }), undefined, sealer)!;
    expect(json).not.toContain(KEY.slice(-20));
    expect(JSON.parse(json).theme).toBe('dark');
    expect(backupText({ ...base, kind: 'file', path: '/h/auth.env', content: '' }, `CLAUDE_CODE_OAUTH_TOKEN=${KEY}\n`, undefined, sealer)).toBeUndefined();
    expect(backupText({ ...base, display: 'diff', kind: 'file', path: '/h/unit', content: '' }, 'as is', undefined, sealer)).toBe('as is');
  });
});
