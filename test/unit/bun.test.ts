// What apply does about Bun, from the facts a probe found and the recipe's consent: the decision table,
// the requirement line a person sees in plan and doctor, and the cloud-init export's first-boot command.
// (The install itself runs for real on the VPS: test/client/plugin.test.ts.)
import { describe, expect, it } from 'vitest';
import { checkRequirements } from '../../src/target/requirements.js';
import { bunWork, type BunWanted } from '../../src/target/bun.js';
import type { Facts } from '../../src/target/index.js';
import { linuxFacts } from '../helpers.js';

const NPM = { path: '/usr/bin/npm', version: '9.2.0' };
const OURS = '/home/ada/.bun/bin/bun';
/** The probe's facts with this Bun (none: undefined) and npm (none: null). */
const facts = (bun: Facts['tools']['bun'], npm: Facts['tools']['npm'] | null = NPM) => {
  const base = linuxFacts();
  const tools: Facts['tools'] = { node: base.tools.node!, tmux: base.tools.tmux!, claude: base.tools.claude!, ...(bun ? { bun } : {}), ...(npm ? { npm } : {}) };
  return linuxFacts({ tools });
};
const install = (version?: string): BunWanted => ({ install: true, ...(version ? { version } : {}) });
const requirement = (f: Facts, wanted: BunWanted) => checkRequirements(f, { channels: true, auth: 'none', bun: wanted, sandbox: true }).find((r) => r.what === 'bun')!;

describe('bunWork', () => {
  it.each([
    ['missing, consent', facts(undefined), install(), 'install', 'bun@latest'],
    ['missing, a version asked', facts(undefined), install('1.4.5'), 'install', 'bun@1.4.5'],
    ['ours does not run', facts({ path: OURS }), install('1.4.5'), 'install', 'bun@1.4.5'],
    ['ours is another version', facts({ path: OURS, version: '1.3.0' }), install('1.4.5'), 'install', 'bun@1.4.5'],
    ['ours is the version asked', facts({ path: OURS, version: '1.4.5' }), install('1.4.5'), 'none', undefined],
    ['there, no version asked', facts({ path: OURS, version: '1.0.0' }), install(), 'none', undefined],
    ['missing, no consent', facts(undefined), { install: false }, 'none', undefined],
    ['missing, no npm', facts(undefined, null), install(), 'cannot', undefined],
    ['another version elsewhere on PATH', facts({ path: '/opt/homebrew/bin/bun', version: '1.3.0' }), install('1.4.5'), 'cannot', undefined],
  ] as const)('%s', (_, f, wanted, kind, spec) => {
    const work = bunWork(f, wanted);
    expect(work.kind).toBe(kind);
    if (work.kind === 'install') expect(work.argv).toEqual(['/usr/bin/npm', 'install', '--global', '--prefix', '/home/ada/.bun', '--no-audit', '--no-fund', spec]);
  });

  it('never touches a Bun it did not put in ~/.bun, and says which one and why', () => {
    const work = bunWork(facts({ path: '/usr/local/bin/bun' }), install());
    expect(work).toEqual({ kind: 'cannot', why: '/usr/local/bin/bun does not run, and it is at /usr/local/bin/bun: buddy-init replaces only /home/ada/.bun; update that one yourself' });
  });
});

describe('the bun requirement, as plan and doctor show it', () => {
  it('missing with consent: apply does it (not a failure a person must fix)', () => {
    expect(requirement(facts(undefined), install('1.4.5'))).toMatchObject({ ok: false, byApply: true, detail: expect.stringMatching(/Bun is missing.*: apply installs it \(npm install --global --prefix \/home\/ada\/\.bun .* bun@1\.4\.5\)/) });
  });

  it('missing without consent: points at the recipe switch and the official installer', () => {
    expect(requirement(facts(undefined), { install: false })).toMatchObject({ ok: false, fix: expect.stringMatching(/^set bun\.install: true in the recipe .*curl -fsSL https:\/\/bun\.sh\/install \| bash$/) });
  });

  it('missing with consent but no npm: says npm is what is missing', () => {
    expect(requirement(facts(undefined, null), install())).toMatchObject({ ok: false, detail: expect.stringMatching(/npm is not on the target/), fix: expect.stringMatching(/^sudo apt-get install -y npm \(then apply installs Bun\)/) });
  });

  it('another version than asked, without consent: a warning (the plugins still run)', () => {
    expect(requirement(facts({ path: OURS, version: '1.3.0' }), { install: false, version: '1.4.5' })).toMatchObject({ ok: false, warning: true, detail: `1.3.0 at ${OURS}, not the recipe's 1.4.5` });
  });

  it('there: ok', () => {
    expect(requirement(facts({ path: OURS, version: '1.4.5' }), install('1.4.5'))).toEqual({ what: 'bun', ok: true, detail: `1.4.5 at ${OURS}` });
  });
});
