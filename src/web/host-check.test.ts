import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { canonicalHost, createHostCheck, isLoopbackHost, parseAllowedHosts, parseHostHeader } from './host-check.js';

/** Every way to write a loopback host in a Host header, without port. */
const LOOPBACK_SPELLINGS = [
  '127.0.0.1',
  '127.1.2.3',
  '127.255.255.254',
  'localhost',
  'LOCALHOST',
  'LocalHost',
  'localhost.',
  '[::1]',
  '[0:0:0:0:0:0:0:1]',
  '[0000:0000:0000:0000:0000:0000:0000:0001]',
  '[::0001]',
  '[0::1]',
  '[0:0::0:1]',
  '[::ffff:127.0.0.1]',
  '[::FFFF:127.0.0.1]',
  '[::ffff:7f00:1]',
  '[0:0:0:0:0:ffff:7f00:1]',
  '[::ffff:127.9.8.7]',
];

/** Well-formed hosts that are not this machine's; refused with any bind address. */
const FOREIGN = [
  'evil.com',
  'EVIL.COM',
  '127.0.0.1.evil.com',
  'localhost.evil.com',
  'evil.localhost',
  '[::2]',
  '[::]',
  '[::127.0.0.1]', // IPv4-compatible, not IPv4-mapped: a different address
  '[::ffff:128.0.0.1]',
  '128.0.0.1',
  '126.255.255.255',
];

/** Host headers that do not parse; refused with any bind address. */
const MALFORMED = [
  '0x7f.0.0.1',
  '0177.0.0.1',
  '127.1',
  '127.0.0.01',
  '2130706433',
  '127.0.0.256',
  'localhost..',
  '.localhost',
  '::1',
  '[::1',
  '::1]',
  '[[::1]]',
  '[fe80::1%25lo]',
  '[127.0.0.1]',
  '',
  ' ',
  'user@127.0.0.1',
  'user:pass@localhost',
  '127.0.0.1/',
  'localhost/path',
  'http://localhost',
  '127.0.0.1, evil.com',
  'local host',
  'lócalhost',
  '-localhost',
  'localhost-',
];

const FOREIGN_OR_MALFORMED = [...FOREIGN, ...MALFORMED];

describe('parseHostHeader', () => {
  it('reads a name, an IPv4 address and a bracketed IPv6 address, with or without port', () => {
    expect(parseHostHeader('Example.COM.')).toEqual({ host: 'example.com', kind: 'name', port: undefined });
    expect(parseHostHeader('example.com:8000')).toEqual({ host: 'example.com', kind: 'name', port: 8000 });
    expect(parseHostHeader('10.0.0.7:80')).toEqual({ host: '10.0.0.7', kind: 'ipv4', port: 80 });
    expect(parseHostHeader('[::1]')).toEqual({ host: '0:0:0:0:0:0:0:1', kind: 'ipv6', port: undefined });
    expect(parseHostHeader('[FD00::A:1]:65535')).toEqual({ host: 'fd00:0:0:0:0:0:a:1', kind: 'ipv6', port: 65535 });
    expect(parseHostHeader('my_box.lan:1')).toEqual({ host: 'my_box.lan', kind: 'name', port: 1 });
  });

  it('reads IPv4-mapped IPv6 addresses as the IPv4 address they reach', () => {
    for (const header of ['[::ffff:10.1.2.3]', '[::ffff:a01:203]', '[0:0:0:0:0:ffff:10.1.2.3]']) {
      expect(parseHostHeader(header), header).toEqual({ host: '10.1.2.3', kind: 'ipv4', port: undefined });
    }
  });

  it('expands every IPv6 notation to the same eight groups', () => {
    const forms = [
      '[2001:db8::8:800:200c:417a]',
      '[2001:DB8:0:0:8:800:200C:417A]',
      '[2001:0db8:0::0008:0800:200c:417a]',
    ];
    for (const form of forms) expect(parseHostHeader(form)?.host, form).toBe('2001:db8:0:0:8:800:200c:417a');
    expect(parseHostHeader('[1::]')?.host).toBe('1:0:0:0:0:0:0:0');
    expect(parseHostHeader('[::]')?.host).toBe('0:0:0:0:0:0:0:0');
    expect(parseHostHeader('[1:2:3:4:5:6:7::]')?.host).toBe('1:2:3:4:5:6:7:0');
    expect(parseHostHeader('[::2:3:4:5:6:7:8]')?.host).toBe('0:2:3:4:5:6:7:8');
    expect(parseHostHeader('[1:2:3:4:5:6:1.2.3.4]')?.host).toBe('1:2:3:4:5:6:102:304');
  });

  it('refuses garbage, userinfo, paths, lists, zones, numeric names and bad or repeated ports', () => {
    for (const header of MALFORMED) expect(parseHostHeader(header), header).toBeUndefined();
    for (const header of FOREIGN) expect(parseHostHeader(header), header).toBeDefined();
    for (const header of [
      'localhost:',
      'localhost:0',
      'localhost:08000',
      'localhost:65536',
      'localhost:8000:8000',
      'localhost:80a',
      'localhost:-1',
      '[::1]:',
      '[::1]8000',
      '[::1]:8000:8000',
      '::1:8000',
      `${'a'.repeat(64)}.com`,
      `${'a.'.repeat(127)}com`,
    ]) {
      expect(parseHostHeader(header), header).toBeUndefined();
    }
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback addresses in every spelling, bracketed or not', () => {
    for (const host of [...LOOPBACK_SPELLINGS, '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', ' 127.0.0.1 ']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '[::]', '192.168.1.10', 'example.com', '128.0.0.1', '10.127.0.1', '::2']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

describe('createHostCheck bound to loopback', () => {
  const PORT = 8000;

  it('accepts every loopback spelling with the server port, whichever loopback address is bound', () => {
    for (const bindHost of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      const allowed = createHostCheck({ bindHost, port: PORT });
      for (const host of LOOPBACK_SPELLINGS) expect(allowed(`${host}:${PORT}`), `${host} on ${bindHost}`).toBe(true);
    }
  });

  it('refuses foreign and malformed hosts, with or without the port', () => {
    const allowed = createHostCheck({ bindHost: '127.0.0.1', port: PORT });
    for (const host of FOREIGN_OR_MALFORMED) {
      expect(allowed(host), host).toBe(false);
      expect(allowed(`${host}:${PORT}`), `${host}:${PORT}`).toBe(false);
    }
  });

  it('refuses a missing Host header', () => {
    expect(createHostCheck({ bindHost: '127.0.0.1', port: PORT })(undefined)).toBe(false);
    expect(createHostCheck({ bindHost: '127.0.0.1', port: 80 })(undefined)).toBe(false);
  });

  it('needs the server port, and accepts no port only when that port is 80', () => {
    const allowed = createHostCheck({ bindHost: '127.0.0.1', port: PORT });
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
      expect(allowed(host), host).toBe(false);
      expect(allowed(`${host}:80`), host).toBe(false);
      expect(allowed(`${host}:8001`), host).toBe(false);
    }
    const onDefaultPort = createHostCheck({ bindHost: '127.0.0.1', port: 80 });
    for (const host of ['127.0.0.1', 'localhost', '[::1]', '127.0.0.1:80', '[::ffff:7f00:1]:80']) {
      expect(onDefaultPort(host), host).toBe(true);
    }
    expect(onDefaultPort('localhost:8000')).toBe(false);
  });

  it("ignores the machine's names and addresses", () => {
    const allowed = createHostCheck({
      bindHost: '127.0.0.1',
      port: PORT,
      machine: { names: ['build-box'], addresses: ['192.168.1.10'] },
    });
    expect(allowed(`build-box:${PORT}`)).toBe(false);
    expect(allowed(`192.168.1.10:${PORT}`)).toBe(false);
  });

  it('accepts each allowed host, in any case and notation', () => {
    const allowed = createHostCheck({ bindHost: '127.0.0.1', port: PORT, allowedHosts: ['Dash.Example.', 'fd00::1'] });
    for (const host of ['dash.example', 'DASH.EXAMPLE', 'dash.example.', '[fd00:0:0:0:0:0:0:1]', '[FD00::0001]']) {
      expect(allowed(`${host}:${PORT}`), host).toBe(true);
    }
    expect(allowed('dash.example')).toBe(false);
    expect(allowed(`dash.example.evil:${PORT}`)).toBe(false);
    expect(allowed(`evil.dash.example:${PORT}`)).toBe(false);
  });
});

describe('createHostCheck bound beyond loopback', () => {
  const PORT = 8080;
  const machine = {
    names: ['Build-Box'],
    addresses: ['127.0.0.1', '192.168.1.10', '::1', 'fe80::a00:27ff:fe4e:66a1', '2001:db8::10'],
  };

  it("accepts the machine's names, its interface addresses and the loopback spellings", () => {
    for (const bindHost of ['0.0.0.0', '::']) {
      const allowed = createHostCheck({ bindHost, port: PORT, machine });
      for (const host of [
        ...LOOPBACK_SPELLINGS,
        'build-box',
        'BUILD-BOX',
        'build-box.',
        '192.168.1.10',
        '[::ffff:192.168.1.10]',
        '[::ffff:c0a8:10a]',
        '[fe80::a00:27ff:fe4e:66a1]',
        '[2001:DB8:0:0:0:0:0:10]',
        '[2001:db8::0010]',
      ]) {
        expect(allowed(`${host}:${PORT}`), `${host} on ${bindHost}`).toBe(true);
      }
    }
  });

  it('accepts the bind address itself in any notation, as printed by backtest ui', () => {
    expect(createHostCheck({ bindHost: '0.0.0.0', port: PORT, machine })(`0.0.0.0:${PORT}`)).toBe(true);
    expect(createHostCheck({ bindHost: '::', port: PORT, machine })(`[::]:${PORT}`)).toBe(true);
    expect(createHostCheck({ bindHost: '::', port: PORT, machine })(`[0:0::0]:${PORT}`)).toBe(true);
    const specific = createHostCheck({ bindHost: '10.0.0.5', port: PORT, machine });
    expect(specific(`10.0.0.5:${PORT}`)).toBe(true);
    expect(specific(`[::ffff:a00:5]:${PORT}`)).toBe(true);
    expect(specific(`build-box:${PORT}`)).toBe(true);
    expect(specific(`10.0.0.6:${PORT}`)).toBe(false);
    expect(createHostCheck({ bindHost: 'fd00::5', port: PORT, machine })(`[fd00:0::5]:${PORT}`)).toBe(true);
    expect(createHostCheck({ bindHost: 'dash.lan', port: PORT, machine })(`DASH.lan:${PORT}`)).toBe(true);
  });

  it('refuses every other host, a wrong or missing port and the unspecified address it is not bound to', () => {
    const allowed = createHostCheck({ bindHost: '0.0.0.0', port: PORT, machine, allowedHosts: ['dash.lan'] });
    for (const host of [
      ...FOREIGN_OR_MALFORMED,
      'build-box.evil.com',
      'evil.build-box',
      'build-box.lan',
      '192.168.1.11',
      '[fe80::a00:27ff:fe4e:66a2]',
      '[fe80::a00:27ff:fe4e:66a1%25eth0]',
    ]) {
      expect(allowed(`${host}:${PORT}`), host).toBe(false);
    }
    expect(allowed(`[::]:${PORT}`)).toBe(false);
    for (const host of ['build-box', '192.168.1.10', 'dash.lan', 'localhost']) {
      expect(allowed(host), host).toBe(false);
      expect(allowed(`${host}:80`), host).toBe(false);
      expect(allowed(`${host}:${PORT + 1}`), host).toBe(false);
    }
    expect(allowed(`dash.lan:${PORT}`)).toBe(true);
    expect(allowed(undefined)).toBe(false);
  });

  it('skips machine names it cannot read instead of failing', () => {
    const allowed = createHostCheck({
      bindHost: '0.0.0.0',
      port: PORT,
      machine: { names: ['odd name!'], addresses: [] },
    });
    expect(allowed(`localhost:${PORT}`)).toBe(true);
    expect(allowed(`odd:${PORT}`)).toBe(false);
  });
});

describe('parseAllowedHosts', () => {
  it('returns names and addresses in canonical form', () => {
    expect(parseAllowedHosts(['Dash.LAN.', ' 10.0.0.5 ', '[FD00::1]', 'fd00::2', '::ffff:10.0.0.6'])).toEqual([
      'dash.lan',
      '10.0.0.5',
      'fd00:0:0:0:0:0:0:1',
      'fd00:0:0:0:0:0:0:2',
      '10.0.0.6',
    ]);
  });

  it('refuses a port, a scheme, a path, a wildcard, userinfo or an empty name, naming the value', () => {
    for (const value of ['dash.lan:8000', 'http://dash.lan', 'dash.lan/', '*', '*.lan', 'a@dash.lan', '', '0x7f.1']) {
      let error: unknown;
      try {
        parseAllowedHosts([value]);
      } catch (thrown) {
        error = thrown;
      }
      expect(error, value).toBeInstanceOf(UsageError);
      expect((error as Error).message, value).toContain(`--allowed-host "${value}" is not a host name or address`);
    }
  });
});

describe('canonicalHost', () => {
  it('accepts a bare IPv6 address only when asked to', () => {
    expect(canonicalHost('::1')).toBeUndefined();
    expect(canonicalHost('::1', { bareIPv6: true })).toEqual({ host: '0:0:0:0:0:0:0:1', kind: 'ipv6' });
  });
});
