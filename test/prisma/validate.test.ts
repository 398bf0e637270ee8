import { promises as fsp } from 'node:fs';
import { AuthError, ConfigError } from '../../src/core/errors';
import { PRISMA_REGIONS } from '../../src/sources/prisma/description';
import { source } from '../../src/sources/prisma';
import { PrismaSimulator, startPrismaSimulator } from '../../src/sources/prisma/simulator';
import { startProxy, TestProxy } from '../support/proxy';
import { makeTestPki, TestPki } from '../support/tls';
import { makeCtx, simConfig, tempDir } from './support';

describe('prisma validate (--validate-arguments)', () => {
  let sim: PrismaSimulator;
  let dir: string;
  beforeEach(async () => {
    sim = await startPrismaSimulator({ events: 5, longPollMs: 30 });
    dir = await tempDir();
  });
  afterEach(async () => {
    await sim.stop();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('fetches a token and dequeues nothing', async () => {
    const { ctx } = makeCtx(dir);
    await source.validate(simConfig(sim), ctx);
    expect(sim.stats()).toMatchObject({ tokensIssued: 1, dataRequests: 0, queued: 5 });
  });

  it('reports refused credentials as an AuthError, asking once', async () => {
    const { ctx } = makeCtx(dir);
    const err = await source.validate(simConfig(sim, { client_secret: 'not-it' }), ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/refused client_id "sim-client"/);
    expect(sim.stats().tokenRequests).toBe(1);
  });

  it('reports an unknown region and a host that is not the API', async () => {
    const { ctx } = makeCtx(dir);
    await expect(source.validate({ ...simConfig(sim), base_url: undefined, region: 'moon' }, ctx)).rejects.toThrow(/"region" must be one of/);
    const wrong = await source.validate(simConfig(sim, { base_url: `${sim.url}/nothing-here` }), ctx).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ConfigError);
    expect((wrong as Error).message).toMatch(/404: this is not a Prisma SaaS API host. Check region or base_url/);
  });

  it('reports a server that is not listening as a connection problem', async () => {
    const { ctx } = makeCtx(dir);
    await sim.stop();
    const err = await source.validate(simConfig(sim), ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/cannot connect to 127\.0\.0\.1/);
    sim = await startPrismaSimulator();
  });

  describe('through a forward proxy', () => {
    let proxy: TestProxy;
    beforeEach(async () => { proxy = await startProxy(); });
    afterEach(() => proxy.close());

    it('sends every region to its own host (the proxy sees the CONNECT target)', async () => {
      for (const [region, host] of Object.entries(PRISMA_REGIONS)) {
        const { ctx } = makeCtx(dir, { proxyUrl: proxy.url });
        // The test proxy refuses anything but loopback, so the check fails after naming its target.
        const err = await source.validate({ ...simConfig(sim), base_url: undefined, region }, ctx).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).message).toContain(`answered 403 to CONNECT ${host}:443`);
        expect(proxy.seen.at(-1)).toMatchObject({ method: 'CONNECT', target: `${host}:443` });
      }
      expect(proxy.seen.filter((s) => s.method === 'CONNECT')).toHaveLength(8);
    });

    it('reaches the API through the proxy when it may', async () => {
      const { ctx } = makeCtx(dir, { proxyUrl: proxy.url });
      await source.validate(simConfig(sim), ctx);
      expect(proxy.seen.map((s) => s.method)).toContain('CONNECT');
      expect(sim.stats().tokensIssued).toBe(1);
    });
  });

  describe('over TLS', () => {
    let pki: TestPki;
    let tlsSim: PrismaSimulator;
    beforeAll(() => { pki = makeTestPki(); });
    afterAll(() => pki.cleanup());
    afterEach(() => tlsSim?.stop());

    it('trusts the CA given in ca_cert_path and refuses an unknown certificate clearly', async () => {
      tlsSim = await startPrismaSimulator({ tls: pki.server, events: 1 });
      const url = tlsSim.url.replace('127.0.0.1', 'localhost');
      const untrusted = await source.validate(simConfig(tlsSim, { base_url: url }), makeCtx(dir).ctx).catch((e: unknown) => e);
      expect(untrusted).toBeInstanceOf(ConfigError);
      expect((untrusted as Error).message).toMatch(/certificate/i);
      expect((untrusted as Error).message).toMatch(/ca_cert_path/);
      const { ctx } = makeCtx(dir);
      const withCa = { ...ctx, makeHttp: (o: Parameters<typeof ctx.makeHttp>[0]) => ctx.makeHttp({ ...o, caCertPath: pki.caCert }) };
      await source.validate(simConfig(tlsSim, { base_url: url }), withCa);
      expect(tlsSim.stats()).toMatchObject({ tokensIssued: 1, dataRequests: 0 });
    });
  });
});
