import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadRecipe, recipeJsonSchema, resolveSecrets } from '../../src/recipe/index.js';
import { discordToken, ROOT, tempDir, writeFile } from '../helpers.js';

function recipeFile(text: string, name = 'recipe.yaml'): string {
  return writeFile(join(tempDir(), name), text);
}

/** Loads a recipe that must fail; returns every error line. */
function errorsOf(text: string): string[] {
  const file = recipeFile(text);
  try {
    loadRecipe(file);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).line.split('\n').map((l) => l.replace(file, 'recipe.yaml'));
  }
  throw new Error('the recipe loaded without errors');
}

describe('recipe loader', () => {
  it('fills defaults for a minimal recipe', () => {
    const { recipe } = loadRecipe(recipeFile('name: ada\n'));
    expect(recipe).toMatchObject({
      name: 'ada',
      target: 'local',
      os: 'auto',
      workdir: '~',
      supervisor: { tick: 30, restartDelay: 10 },
      init: { kind: 'auto', linger: true },
      permissions: { defaultMode: 'default', allow: [], guardRails: true },
      hook: { enabled: true, audit: true, timeout: 10 },
    });
  });

  it('reads a bare ~ as the home directory (YAML would make it null)', () => {
    expect(loadRecipe(recipeFile('name: ada\nworkdir: ~\n')).recipe.workdir).toBe('~');
  });

  it('writes every workdir one way: trailing slashes, . and .. and doubled slashes go', () => {
    const cases: Array<[string, string]> = [
      ['~/', '~'],
      ['~/work/', '~/work'],
      ['~/work/.', '~/work'],
      ['~//work//', '~/work'],
      ['~/x/../work', '~/work'],
      ['~/work/..', '~'],
      ['/srv/a/../b/', '/srv/b'],
      ['/', '/'],
      ['"/srv/with space/x"', '/srv/with space/x'],
      ['"/srv/back\\\\slash"', '/srv/back\\slash'],
    ];
    for (const [written, read] of cases) expect(loadRecipe(recipeFile(`name: ada\nworkdir: ${written}\n`)).recipe.workdir, written).toBe(read);
  });

  it('parses durations with units', () => {
    const { recipe } = loadRecipe(recipeFile('name: ada\nsupervisor:\n  tick: 2m\n  watchdog: 500s\n  restartDelay: 1500ms\n'));
    expect(recipe.supervisor).toMatchObject({ tick: 120, watchdog: 500, restartDelay: 1.5 });
  });

  it.each([
    ['a YAML syntax error', 'name: ada\npermissions: [\n', /^recipe\.yaml:3:1: YAML: /],
    ['a name with capitals', 'name: Ada\n', /^recipe\.yaml:1:7: name: must be 2-40 lowercase .* \(got "Ada"\)$/],
    ['an unknown field', 'name: ada\nchanels: {}\n', /^recipe\.yaml:2:1: chanels: unknown field "chanels" \(did you mean "channels"\?\)$/],
    ['a nested unknown field', 'name: ada\nsupervisor:\n  tik: 3\n', /^recipe\.yaml:3:3: supervisor\.tik: unknown field "tik" \(did you mean "tick"\?\)$/],
    ['a bad duration', 'name: ada\nsupervisor:\n  tick: soon\n', /^recipe\.yaml:3:9: supervisor\.tick: must be seconds .* \(got "soon"\)$/],
    ['a watchdog shorter than three ticks', 'name: ada\nsupervisor:\n  tick: 30\n  watchdog: 60\n', /^recipe\.yaml:4:13: supervisor\.watchdog: watchdog 60s is less than three ticks/],
    ['a typo in a nested field', 'name: ada\nchannels:\n  discord:\n    token: { env: T }\n    alowFrom: ["1"]\n', /recipe\.yaml:5:5: channels\.discord\.alowFrom: unknown field "alowFrom" \(did you mean "allowFrom"\?\)/],
    ['a field nothing is near', 'name: ada\nzebra: 1\n', /^recipe\.yaml:2:1: zebra: unknown field "zebra"$/],
    ['a relative workdir', 'name: ada\nworkdir: work\n', /^recipe\.yaml:2:10: workdir: must be an absolute path or start with ~ \(got "work"\)$/],
    ['a workdir ending in a blank', 'name: ada\nworkdir: "~/work "\n', /^recipe\.yaml:2:10: workdir: ends with a blank: systemd strips it/],
    ['a workdir ending in a backslash', 'name: ada\nworkdir: "/srv/work\\\\"\n', /^recipe\.yaml:2:10: workdir: ends with a backslash: systemd reads it as "continued on the next line"/],
    ['a workdir with a tab', 'name: ada\nworkdir: "~/a\\tb"\n', /^recipe\.yaml:2:10: workdir: contains a control character/],
    ['a workdir above the home', 'name: ada\nworkdir: ~/../bob\n', /^recipe\.yaml:2:10: workdir: climbs out of the home folder with \.\.: write the absolute path/],
    ['an unknown permission mode', 'name: ada\npermissions:\n  defaultMode: yolo\n', /^recipe\.yaml:3:16: permissions\.defaultMode: .*"yolo"/],
    ['a rule Claude Code skips', 'name: ada\npermissions:\n  deny:\n    - Bash(git push:* --force)\n', /^recipe\.yaml:4:7: permissions\.deny\.0: Claude Code would skip this deny rule: The :\* pattern must be at the end/],
    ['a wildcard allow rule', 'name: ada\npermissions:\n  allow: ["*"]\n', /^recipe\.yaml:3:11: permissions\.allow\.0: Claude Code would skip this allow rule: Wildcard tool name "\*"/],
    ['a lowercase tool', 'name: ada\npermissions:\n  ask: [bash(ls)]\n', /permissions\.ask\.0: .*Tool names must start with uppercase\. Use "Bash"/],
    ['an ssh target without a host', 'name: ada\ntarget: { ssh: "ada@" }\n', /^recipe\.yaml:2:16: target\.ssh: must be user@host\[:port\]/],
    ['launchd on linux', 'name: ada\nos: linux\ninit: { kind: launchd-agent }\n', /^recipe\.yaml:3:15: init\.kind: launchd-agent needs os: macos/],
    ['an unquoted Discord id that lost digits', 'name: ada\nchannels:\n  discord:\n    token: { env: T }\n    allowFrom: [184012345678901234]\n', /channels\.discord\.allowFrom\.0: id 184012345678901250 lost digits .*write it in quotes/],
    ['an unknown preset', 'name: ada\nextends: relaxed\n', /^recipe\.yaml:2:10: extends: unknown preset "relaxed"/],
    ['a drop that matches nothing', 'name: ada\nextends: strict\npermissions:\n  drop: [Bash(nope)]\n', /^recipe\.yaml:4:10: permissions\.drop: "Bash\(nope\)" is in none of allow, deny, ask$/],
    ['a missing name', 'os: linux\n', /^recipe\.yaml:1:1: name: .*expected string/],
    ['a plugin version YAML reads as a number', 'name: ada\nchannels:\n  discord:\n    token: { env: T }\n    version: 1.4\n', /^recipe\.yaml:5:14: channels\.discord\.version: .*expected string/],
    ['a Bun version that is not one', 'name: ada\nbun: { install: true, version: latest }\n', /^recipe\.yaml:2:32: bun\.version: must be a version such as 1\.2\.3 \(got "latest"\)$/],
    ['a Bun consent that is not yes or no', 'name: ada\nbun: { install: please }\n', /^recipe\.yaml:2:17: bun\.install: .*expected boolean/],
    ['a secret in claude.env', 'name: ada\nclaude:\n  env:\n    MY_API_KEY: x\n', /^recipe\.yaml:4:5: claude\.env\.MY_API_KEY: looks like a secret; secrets go in auth/],
  ])('reports %s at its line and column', (_what, text, expected) => {
    expect(errorsOf(text)[0]).toMatch(expected);
  });

  it('reports every error at once, in file order', () => {
    const lines = errorsOf('name: Ada\nos: plan9\npermissions:\n  allow: ["*"]\n');
    expect(lines.map((l) => l.split(':').slice(0, 2).join(':'))).toEqual(['recipe.yaml:1', 'recipe.yaml:2', 'recipe.yaml:4']);
  });

  it('refuses a literal token and says how to reference it, without echoing the token', () => {
    const token = 'MTE4NDAxMjM0NTY3ODkwMTIzNA.GAbcde.abcdefghijklmnopqrstuvwxyz0123456789';
    const [line] = errorsOf(`name: ada\nchannels:\n  discord:\n    token: ${token}\n`);
    expect(line).toMatch(/^recipe\.yaml:4:12: channels\.discord\.token: .*\{ env: NAME \}, \{ file: PATH \} or \{ prompt: true \}/);
    expect(line).not.toContain(token);
  });

  it('refuses a token pasted into any other field', () => {
    const key = 'sk-ant-oat01-abcdefghijklmnopqrstuvwxyz0123456789';
    const [line] = errorsOf(`name: ada\nclaude:\n  args: [--api-key, ${key}]\n`);
    expect(line).toMatch(/^recipe\.yaml:3:21: claude\.args\.1: "sk-ant…" looks like an Anthropic key/);
    expect(line).not.toContain(key);
  });

  it('stacks a preset under the recipe: lists add up, scalars override, drop removes', () => {
    const { recipe } = loadRecipe(
      recipeFile('name: ada\nextends: balanced\npermissions:\n  defaultMode: default\n  allow: [Bash(npm test)]\n  drop: [Grep]\n'),
    );
    expect(recipe.permissions.defaultMode).toBe('default');
    expect(recipe.permissions.allow).toContain('Bash(npm test)');
    expect(recipe.permissions.allow).toContain('Glob');
    expect(recipe.permissions.allow).not.toContain('Grep');
    expect(recipe.permissions.deny).toContain('Bash(rm -rf /*)');
  });

  it('points an error inside an extended file at that file', () => {
    const dir = tempDir();
    writeFile(join(dir, 'base.yaml'), 'permissions:\n  allow:\n    - Bash(:*)\n');
    const file = writeFile(join(dir, 'recipe.yaml'), 'name: ada\nextends: ./base.yaml\n');
    const err = (() => {
      try {
        loadRecipe(file);
      } catch (e) {
        return e as InputError;
      }
      throw new Error('loaded');
    })();
    expect(err.line).toMatch(/base\.yaml:3:7: permissions\.allow\.0: Claude Code would skip this allow rule: Prefix cannot be empty/);
  });

  it('detects an extends loop', () => {
    const dir = tempDir();
    writeFile(join(dir, 'a.yaml'), 'extends: ./b.yaml\n');
    writeFile(join(dir, 'b.yaml'), 'extends: ./a.yaml\n');
    expect(() => loadRecipe(writeFile(join(dir, 'r.yaml'), 'name: ada\nextends: ./a.yaml\n'))).toThrow(/extends loops back/);
  });

  it('warns about rules that can never match', () => {
    const { warnings } = loadRecipe(recipeFile('name: ada\npermissions:\n  deny: [Bsh(rm *)]\n'));
    expect(warnings).toEqual([expect.stringMatching(/recipe\.yaml:3:10: permissions\.deny: "Bsh\(rm \*\)": tool "Bsh" is not one Claude Code knows/)]);
  });

  it('loads every ready-made recipe and preset; each gives the buddy a folder of its own, never the whole home', () => {
    for (const f of ['examples/quickstart.yaml', 'examples/discord-vps.yaml', 'examples/telegram-mac-mini.yaml', 'examples/team-box.yaml']) {
      const { recipe } = loadRecipe(join(ROOT, f));
      expect(recipe.name).toMatch(/^[a-z]/);
      // Copied for real, a recipe with workdir: ~ trusts claude over the whole home with edits accepted.
      expect(recipe.workdir, f).not.toMatch(/^~\/?$|^\$HOME\/?$|^\/(home|Users)\/[^/]+\/?$|^\/root\/?$/);
    }
  });
});

describe('secret references', () => {
  const slotsRecipe = 'name: ada\nchannels:\n  discord:\n    token: { env: BUDDY_TEST_TOKEN }\nauth:\n  oauthToken: { file: ./oauth }\n';

  it('resolves env and file references', async () => {
    const file = recipeFile(slotsRecipe);
    const dir = join(file, '..');
    writeFile(join(dir, 'oauth'), 'sk-ant-oat01-secret\n');
    (await import('node:fs')).chmodSync(join(dir, 'oauth'), 0o600);
    const loaded = loadRecipe(file);
    const values = await resolveSecrets(loaded.recipe, { baseDir: dir, locate: loaded.locate, env: { BUDDY_TEST_TOKEN: discordToken('discord-secret') } });
    expect(Object.fromEntries(values)).toEqual({ 'channels.discord.token': discordToken('discord-secret'), 'auth.oauthToken': 'sk-ant-oat01-secret' });
  });

  it('names the variable and the place in the recipe when an env secret is missing', async () => {
    const file = recipeFile(slotsRecipe);
    const loaded = loadRecipe(file);
    await expect(resolveSecrets(loaded.recipe, { baseDir: tempDir(), locate: loaded.locate, env: {} })).rejects.toThrow(
      /environment variable BUDDY_TEST_TOKEN is not set/,
    );
    const err = await resolveSecrets(loaded.recipe, { baseDir: tempDir(), locate: loaded.locate, env: {} }).catch((e: InputError) => e);
    expect((err as InputError).location).toMatchObject({ line: 4, col: 12 });
  });

  it('refuses a token file other users can read', async () => {
    const file = recipeFile(slotsRecipe);
    const dir = join(file, '..');
    writeFile(join(dir, 'oauth'), 'x');
    (await import('node:fs')).chmodSync(join(dir, 'oauth'), 0o644);
    const loaded = loadRecipe(file);
    await expect(resolveSecrets(loaded.recipe, { baseDir: dir, locate: loaded.locate, env: { BUDDY_TEST_TOKEN: discordToken('x') } })).rejects.toThrow(
      /readable by other users \(mode 644\); chmod 600/,
    );
  });

  it('refuses a prompt reference without a terminal', async () => {
    const loaded = loadRecipe(recipeFile('name: ada\nauth:\n  apiKey: { prompt: true }\n'));
    await expect(resolveSecrets(loaded.recipe, { baseDir: tempDir(), locate: loaded.locate, env: {} })).rejects.toThrow(/no terminal/);
  });
});

describe('JSON Schema', () => {
  it('is the file committed for editors (regenerate with npm run schema)', () => {
    const committed = JSON.parse(readFileSync(join(ROOT, 'schema', 'recipe.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(recipeJsonSchema())));
  });

  it('describes the fields editors complete', () => {
    const schema = recipeJsonSchema() as { properties: Record<string, { description?: string }>; required: string[] };
    expect(schema.required).toEqual(['name']);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['name', 'target', 'os', 'workdir', 'claude', 'channels', 'auth', 'supervisor', 'init', 'permissions', 'hook']),
    );
    expect(schema.properties.name!.description).toMatch(/unit/);
  });
});
