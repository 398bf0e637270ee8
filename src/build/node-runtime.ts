/**
 * The Node runtime `npm run package -- --with-node` ships in `<platform>/bin/node`: a
 * self-contained build (nodejs.org's official binaries link only the C/C++ runtime), stripped of
 * its symbol table, with Node's licence beside it (`<platform>/LICENSE`). A distribution's node
 * linked to a shared libnode (Debian's nodejs package), libuv, OpenSSL or ICU would not start on
 * a Splunk host without those libraries, so it is refused. The ELF headers are read here, in
 * JavaScript, so the same check runs on the built .tgz without any tool; stripping needs
 * binutils' `strip`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Libraries every Linux host has (glibc, the C++ runtime); anything else makes the binary depend on the host. */
const SYSTEM_LIB = /^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libstdc\+\+\.so\.6|libgcc_s\.so\.1|libatomic\.so\.1|ld-linux[-\w.]*\.so\.\d+)$/;
const MACHINE: Record<number, string> = { 62: 'x86_64', 183: 'aarch64' };

export interface ElfInfo {
  machine: string;
  /** DT_NEEDED entries: the shared libraries it links. */
  needed: string[];
  /** Has a .symtab (not stripped). */
  symtab: boolean;
}

/** Minimal ELF64 little-endian reader: machine, DT_NEEDED and whether a symbol table is left. */
export function readElf(buf: Buffer): ElfInfo | undefined {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) return undefined;
  const machine = MACHINE[buf.readUInt16LE(0x12)] ?? `e_machine ${buf.readUInt16LE(0x12)}`;
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const sections = Array.from({ length: shnum }, (_, i) => {
    const o = shoff + i * shentsize;
    return { type: buf.readUInt32LE(o + 4), offset: Number(buf.readBigUInt64LE(o + 24)), size: Number(buf.readBigUInt64LE(o + 32)), link: buf.readUInt32LE(o + 40) };
  });
  const needed: string[] = [];
  for (const s of sections.filter((x) => x.type === 6 /* SHT_DYNAMIC */)) {
    const strtab = sections[s.link];
    for (let o = s.offset; o + 16 <= s.offset + s.size; o += 16) {
      const tag = buf.readBigInt64LE(o);
      if (tag === 0n) break;
      if (tag !== 1n /* DT_NEEDED */) continue;
      const start = strtab.offset + Number(buf.readBigUInt64LE(o + 8));
      needed.push(buf.toString('latin1', start, buf.indexOf(0, start)));
    }
  }
  return { machine, needed, symtab: sections.some((x) => x.type === 2 /* SHT_SYMTAB */) };
}

/** What is wrong with `data` as the runtime of Splunk platform folder `platform` (e.g. linux_x86_64). */
export function nodeBinaryProblems(data: Buffer, platform: string): string[] {
  const [os, arch] = [platform.split('_')[0], platform.split('_').slice(1).join('_')];
  if (os === 'darwin') {
    const magic = data.length >= 4 ? data.readUInt32LE(0) : 0;
    if (magic !== 0xfeedfacf) return [`not a 64-bit Mach-O executable, as ${platform} needs`];
    return data.includes('libnode.') ? ['linked to a shared libnode: it would not start without that library; use an official build from nodejs.org'] : [];
  }
  const elf = readElf(data);
  if (!elf) return [`not a 64-bit little-endian ELF executable, as ${platform} needs`];
  const problems: string[] = [];
  if (elf.machine !== arch) problems.push(`built for ${elf.machine}, but packaged for ${platform}`);
  const foreign = elf.needed.filter((l) => !SYSTEM_LIB.test(l));
  if (foreign.some((l) => l.startsWith('libnode.'))) {
    problems.push(`linked to a shared ${foreign.find((l) => l.startsWith('libnode.'))} (a distribution build such as Debian's nodejs): it would not start on a Splunk host without it; use an official build from nodejs.org`);
  } else if (foreign.length) {
    problems.push(`linked to shared libraries a Splunk host may lack (${foreign.join(', ')}): use a self-contained official build from nodejs.org`);
  }
  if (elf.symtab) problems.push('not stripped (symbol table left): strip --strip-all it');
  return problems;
}

/** Node's licence for the binary at `nodePath`: given, or where nodejs.org's tarball, a prefix install or a distribution package put it. */
export function findNodeLicense(nodePath: string, explicit?: string): string {
  const real = fs.realpathSync(nodePath);
  const prefix = path.dirname(path.dirname(real));
  const candidates = explicit ? [explicit] : [
    path.join(prefix, 'LICENSE'),
    path.join(prefix, 'share', 'doc', 'node', 'LICENSE'),
    path.join(prefix, 'share', 'doc', 'nodejs', 'LICENSE'),
    '/usr/share/doc/nodejs/LICENSE',
  ];
  for (const c of candidates) {
    if (fs.existsSync(c) && /Node\.js/.test(fs.readFileSync(c, 'utf8').slice(0, 4000))) return c;
  }
  throw new Error(`--with-node: Node.js's licence (LICENSE) not found for ${nodePath} (looked in ${candidates.join(', ')}). ` +
    'Use the node of an official nodejs.org tarball (its LICENSE sits next to bin/), or give it with --node-license=PATH.');
}

/** Copies the runtime to `dest`, strips it and checks the result; throws naming what is wrong. */
export function stageNodeRuntime(nodePath: string, platform: string, dest: string): void {
  const before = nodeBinaryProblems(fs.readFileSync(nodePath), platform).filter((p) => !p.startsWith('not stripped'));
  if (before.length) throw new Error(`--with-node: ${nodePath} cannot be shipped: ${before.join('; ')}.`);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(nodePath, dest);
  fs.chmodSync(dest, 0o755);
  if (readElf(fs.readFileSync(dest))?.symtab) {
    const r = spawnSync('strip', ['--strip-all', dest], { encoding: 'utf8' });
    if (r.error) throw new Error(`--with-node: ${nodePath} has its symbol table and strip is not available (${(r.error as NodeJS.ErrnoException).code}): install binutils (apt-get install binutils).`);
    if (r.status !== 0) throw new Error(`--with-node: strip --strip-all ${nodePath} failed: ${r.stderr.trim()}`);
  }
  const after = nodeBinaryProblems(fs.readFileSync(dest), platform);
  if (after.length) throw new Error(`--with-node: ${nodePath} after stripping: ${after.join('; ')}.`);
}
