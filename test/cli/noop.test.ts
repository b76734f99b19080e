// A no-op writes nothing, anywhere (issue 28): every shipped example that runs on this machine, applied
// twice under --root, says "No changes" the second time and leaves every file as it was, the apply
// record included. (examples/telegram-mac-mini.yaml is for a Mac over SSH, and asks for its token on a
// terminal: its render is checked in test/unit/render.test.ts.)
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, snapshot, tempDir, writeFile } from '../helpers.js';

const ENV = { DISCORD_BOT_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789ABCD', CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-noop', ANTHROPIC_API_KEY: 'sk-ant-api03-noop' };

describe('a second apply of a shipped example', () => {
  for (const name of ['quickstart', 'discord-vps', 'team-box']) {
    it(`${name}: says No changes and writes nothing`, () => {
      const dir = tempDir();
      const root = join(dir, 'root');
      // team-box reads its bot token from a file of the operator's: one here instead.
      const tokenFile = writeFile(join(dir, 'discord-token'), `${ENV.DISCORD_BOT_TOKEN}\n`);
      chmodSync(tokenFile, 0o600);
      const recipe = writeFile(join(dir, `${name}.yaml`), readFileSync(join(ROOT, 'examples', `${name}.yaml`), 'utf8').replace('/etc/teambot/discord-token', tokenFile));
      const first = runCli(['apply', '--recipe', recipe, '--root', root, '--yes'], { env: ENV });
      expect(first.code, first.stderr).toBe(0);
      const before = snapshot(root);
      const plan = runCli(['plan', '--recipe', recipe, '--root', root], { env: ENV });
      expect(plan.stdout, plan.stdout).toMatch(/No changes: the target already matches the recipe/);
      const second = runCli(['apply', '--recipe', recipe, '--root', root, '--yes'], { env: ENV });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/No changes: the target already matches the recipe\.\nNothing written\./);
      expect(snapshot(root)).toEqual(before);
    });
  }
});
