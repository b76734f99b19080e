// Issue 18: the package as users fetch it. The packed tarball (of the dist/ this checkout built) is run
// with npx from an empty folder, with a fresh HOME and npm cache and npm offline: it must need nothing
// but itself (every dependency is in the bundle), carry no source map, a LICENSE, and run --version,
// validate on a shipped example, and plan --root.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';

describe('the packed package', () => {
  it('installs with npx from the tarball alone and runs --version, validate and plan --root', () => {
    const dir = tempDir('buddy-pack-');
    // --ignore-scripts: pack the dist/ already built (the prepare script would rebuild it under the other tests).
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; size: number; files: Array<{ path: string }> }>;
    const paths = info!.files.map((f) => f.path);
    expect(paths).toContain('LICENSE');
    expect(paths.filter((p) => p.endsWith('.map'))).toEqual([]);
    // Recipes point editors at the schema shipped in the package (issue 28.7: the name is not published,
    // so no registry URL): the file is in it, and every example points at it by a relative path.
    expect(paths).toContain('schema/recipe.schema.json');
    for (const example of paths.filter((p) => /^examples\/.*\.yaml$/.test(p) && !p.includes('inventory'))) {
      expect(readFileSync(join(ROOT, example), 'utf8').split('\n')[0], example).toBe('# yaml-language-server: $schema=../schema/recipe.schema.json');
    }
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest).toMatchObject({ license: 'MIT', repository: expect.anything(), bugs: expect.anything(), engines: { node: '>=20' } });

    const empty = tempDir('buddy-npx-');
    const env = { PATH: process.env.PATH!, HOME: tempDir('buddy-npx-home-'), npm_config_cache: tempDir('buddy-npx-cache-'), npm_config_offline: 'true', npm_config_update_notifier: 'false', NO_COLOR: '1' };
    const npx = (...args: string[]) => spawnSync('npx', ['--yes', '--package', join(dir, info!.filename), 'buddy-init', ...args], { cwd: empty, env, encoding: 'utf8', timeout: 120_000 });
    const version = npx('--version');
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(manifest.version);
    const installed = join(env.npm_config_cache, '_npx');
    const modules = spawnSync('sh', ['-c', `find ${installed} -path '*/node_modules/*/package.json' | wc -l`], { encoding: 'utf8' }).stdout.trim();
    expect(modules, 'packages npx installed').toBe('1');
    const example = spawnSync('sh', ['-c', `ls -d ${installed}/*/node_modules/buddy-init/examples/quickstart.yaml`], { encoding: 'utf8' }).stdout.trim();
    const validate = npx('validate', '--recipe', example);
    expect(validate.status, validate.stderr).toBe(0);
    const plan = npx('plan', '--recipe', example, '--root', join(empty, 'root'));
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/to create/);
  }, 180_000);
});
