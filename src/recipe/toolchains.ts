/**
 * What a toolchain named in a recipe's `sandbox.toolchains` lets the agent's sandboxed commands do: write
 * its caches (relative to the home folder) and reach its package registries. Named here, never guessed
 * from the workdir: a recipe says which toolchains its buddy builds with, and the plan shows the result.
 * The credential files some of these tools keep beside their caches (~/.npmrc, ~/.cargo/credentials.toml,
 * ~/.m2/settings-security.xml) stay unreadable whatever is listed here.
 */
export interface Toolchain {
  /** Folders under the home folder the tools write (caches, downloaded packages). */
  caches: string[];
  /** Hosts their package managers fetch from. */
  domains: string[];
}

export const TOOLCHAINS = {
  node: {
    caches: ['.npm', '.cache/node-gyp', '.cache/yarn', '.yarn/berry', '.cache/pnpm', '.local/share/pnpm'],
    domains: ['registry.npmjs.org', 'registry.yarnpkg.com', 'nodejs.org'],
  },
  bun: { caches: ['.bun/install/cache'], domains: ['registry.npmjs.org'] },
  python: {
    caches: ['.cache/pip', '.cache/uv', '.cache/pypoetry', '.local/share/virtualenvs'],
    domains: ['pypi.org', 'files.pythonhosted.org'],
  },
  rust: { caches: ['.cargo/registry', '.cargo/git'], domains: ['crates.io', 'index.crates.io', 'static.crates.io'] },
  go: { caches: ['go/pkg/mod', '.cache/go-build'], domains: ['proxy.golang.org', 'sum.golang.org'] },
  ruby: { caches: ['.gem/ruby', '.bundle/cache', '.local/share/gem'], domains: ['rubygems.org', 'index.rubygems.org'] },
  java: {
    caches: ['.m2/repository', '.gradle/caches', '.gradle/wrapper'],
    domains: ['repo.maven.apache.org', 'repo1.maven.org', 'plugins.gradle.org', 'services.gradle.org'],
  },
} as const satisfies Record<string, Toolchain>;

export type ToolchainName = keyof typeof TOOLCHAINS;
export const TOOLCHAIN_NAMES = Object.keys(TOOLCHAINS) as [ToolchainName, ...ToolchainName[]];
