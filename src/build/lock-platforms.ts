/**
 * `npx tsx src/build/lock-platforms.ts`: completes package-lock.json with the platform builds of
 * optional native packages (@swc/core-*, @unrs/resolver-binding-*) that a registry mirror
 * without them leaves out. `npm ci` rejects a lock that lacks any optional dependency ("Missing:
 * ... from lock file"); with the entries present it skips them by os/cpu/libc without fetching.
 * Re-run after `npm install` if `npm ci` reports missing platform packages again.
 */
import * as fs from 'fs';
import * as path from 'path';

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  cpu?: string[];
  os?: string[];
  libc?: string[];
  optionalDependencies?: Record<string, string>;
}

export function platformOf(name: string): { os: string; cpu: string; libc?: string } {
  const n = name.replace(/^@[^/]+\//, '');
  const os = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony'].find((o) => n.includes(`-${o}-`));
  const cpu = ['arm64', 'x64', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'arm'].find((c) => n.includes(`-${c}`));
  if (!os || !cpu) throw new Error(`Cannot tell the platform of ${name}; add its lock entry by hand.`);
  const libc = /-(gnu|gnueabihf)$/.test(n) ? 'glibc' : /-(musl|musleabihf)$/.test(n) ? 'musl' : undefined;
  return { os, cpu, libc };
}

export function completeLock(lock: { packages: Record<string, LockEntry> }): string[] {
  const added: string[] = [];
  const pk = lock.packages;
  for (const meta of Object.values(pk)) {
    for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
      const key = `node_modules/${dep}`;
      if (pk[key]) continue;
      const { os, cpu, libc } = platformOf(dep);
      pk[key] = { version, cpu: [cpu], ...(meta.dev ? { dev: true } : {}), ...(libc ? { libc: [libc] } : {}), optional: true, os: [os] };
      added.push(`${dep}@${version}`);
    }
  }
  const keys = Object.keys(pk).sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b, 'en')));
  lock.packages = Object.fromEntries(keys.map((k) => [k, pk[k]]));
  return added;
}

if (require.main === module) {
  const file = path.resolve(__dirname, '..', '..', 'package-lock.json');
  const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
  const added = completeLock(lock);
  fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(added.length ? `Added ${added.length} platform entries:\n  ${added.join('\n  ')}` : 'package-lock.json already lists every optional platform package.');
}
