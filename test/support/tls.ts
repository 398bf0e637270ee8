/**
 * Throwaway TLS material for loopback tests, generated with the openssl CLI at test time so no
 * key is ever committed: a CA, a server certificate for localhost/127.0.0.1 signed by it, and a
 * self-signed server certificate that nothing trusts.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestPki {
  dir: string;
  /** PEM paths. */
  caCert: string;
  serverCert: string;
  serverKey: string;
  selfSignedCert: string;
  selfSignedKey: string;
  /** PEM contents, for https.createServer. */
  server: { cert: string; key: string };
  selfSigned: { cert: string; key: string };
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makeTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-pki-'));
  const san = 'subjectAltName=DNS:localhost,IP:127.0.0.1';
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
    '-subj', '/CN=zt-test-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  fs.writeFileSync(path.join(dir, 'ext.cnf'), `${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem',
    '-days', '2', '-extfile', 'ext.cnf'], dir);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.pem', '-days', '2',
    '-subj', '/CN=localhost', '-addext', san], dir);
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  return {
    dir,
    caCert: path.join(dir, 'ca.pem'),
    serverCert: path.join(dir, 'server.pem'),
    serverKey: path.join(dir, 'server.key'),
    selfSignedCert: path.join(dir, 'self.pem'),
    selfSignedKey: path.join(dir, 'self.key'),
    server: { cert: read('server.pem'), key: read('server.key') },
    selfSigned: { cert: read('self.pem'), key: read('self.key') },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
