/**
 * Which `Host` headers the dashboard answers to. A page on another site can point a name it
 * controls at this machine (DNS rebinding) and then read the dashboard as same-origin; the
 * browser still sends that foreign name in `Host`, so refusing unknown names stops it.
 *
 * Everything is compared in one canonical form: IPv4 as `a.b.c.d` (IPv4-mapped IPv6 such as
 * `::ffff:7f00:1` too), other IPv6 as eight lower-case hex groups, names lower-cased without a
 * trailing dot. Anything that does not parse cleanly is refused rather than guessed at.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { UsageError } from '../core/errors.js';

/** A host (no port) in canonical form. */
export interface CanonicalHost {
  /** `a.b.c.d`, eight hex groups joined by `:` (e.g. `0:0:0:0:0:0:0:1`), or a lower-case name. */
  readonly host: string;
  /** `ipv4` also covers IPv4-mapped IPv6 addresses, which reach the same IPv4 socket. */
  readonly kind: 'ipv4' | 'ipv6' | 'name';
}

/** A parsed `Host` header. */
export interface HostHeader extends CanonicalHost {
  /** The port after the host, or undefined when the header has none. */
  readonly port: number | undefined;
}

/** This machine's own names and interface addresses, as {@link readMachineIdentity} finds them. */
export interface MachineIdentity {
  /** Host names, e.g. `os.hostname()`. */
  readonly names: readonly string[];
  /** Interface addresses, IPv4 or IPv6, without brackets or zone. */
  readonly addresses: readonly string[];
}

/** Where a server listens and what else it answers to; see {@link createHostCheck}. */
export interface HostPolicy {
  /** The address or name the server is bound to (`backtest ui --host`), e.g. `127.0.0.1` or `0.0.0.0`. */
  readonly bindHost: string;
  /** The port the server listens on (the real one, never 0). */
  readonly port: number;
  /** Extra names or addresses to accept (`--allowed-host`, without port); invalid ones throw. */
  readonly allowedHosts?: readonly string[] | undefined;
  /** This machine's names and addresses; used only when `bindHost` is not a loopback address. */
  readonly machine?: MachineIdentity | undefined;
}

// Browsers read a name whose last label is a number (`127.1`, `0x7f.0.0.1`, `2130706433`) as an
// IPv4 address and normalise it before sending, so such text never comes from a browser; refuse it
// rather than decide which address it means.
const NUMERIC_LABEL = /^(?:\d+|0x[0-9a-f]*)$/;
const NAME_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const HOST_HEADER_CHARACTERS = /^[A-Za-z0-9._\-:[\]]+$/;

/** Eight 16-bit groups of a valid IPv6 text (as `net.isIPv6` accepts it, without a zone). */
function ipv6Groups(text: string): number[] {
  let head = text;
  const tail: number[] = [];
  const last = text.slice(text.lastIndexOf(':') + 1);
  if (last.includes('.')) {
    const [a, b, c, d] = last.split('.').map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    head = text.slice(0, text.length - last.length);
    // `::ffff:1.2.3.4` leaves `::ffff:`; drop that separator but keep a `::`.
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const gap = head.indexOf('::');
  if (gap === -1) return [...groups(head), ...tail];
  const left = groups(head.slice(0, gap));
  const right = groups(head.slice(gap + 2));
  const zeros = new Array<number>(8 - left.length - right.length - tail.length).fill(0);
  return [...left, ...zeros, ...right, ...tail];
}

function canonicalIPv6(text: string): CanonicalHost | undefined {
  if (text.includes('%') || !isIPv6(text)) return undefined; // zones (fe80::1%eth0) never name this server
  const g = ipv6Groups(text);
  if (g.length !== 8) return undefined;
  const mapped = g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff;
  if (mapped) {
    const [high, low] = [g[6] as number, g[7] as number];
    return { host: `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`, kind: 'ipv4' };
  }
  return { host: g.map((group) => group.toString(16)).join(':'), kind: 'ipv6' };
}

function canonicalName(text: string): CanonicalHost | undefined {
  const name = (text.endsWith('.') ? text.slice(0, -1) : text).toLowerCase();
  if (name === '' || name.length > 253) return undefined;
  const labels = name.split('.');
  if (!labels.every((label) => NAME_LABEL.test(label))) return undefined;
  if (NUMERIC_LABEL.test(labels[labels.length - 1] as string)) return undefined;
  return { host: name, kind: 'name' };
}

/**
 * A host without port in canonical form: a name, an IPv4 address, or a bracketed IPv6 address
 * (unbracketed too when `bareIPv6`, as in `--host ::1`). Undefined when it is none of these.
 *
 * @example
 * canonicalHost('[::0001]'); // { host: '0:0:0:0:0:0:0:1', kind: 'ipv6' }
 * canonicalHost('LocalHost.'); // { host: 'localhost', kind: 'name' }
 */
export function canonicalHost(text: string, options: { bareIPv6?: boolean } = {}): CanonicalHost | undefined {
  if (text.startsWith('[') && text.endsWith(']')) return canonicalIPv6(text.slice(1, -1));
  if (text.includes(':')) return options.bareIPv6 === true ? canonicalIPv6(text) : undefined;
  if (isIPv4(text)) return { host: text, kind: 'ipv4' };
  return canonicalName(text);
}

function parsePort(text: string): number | undefined {
  if (!/^[1-9]\d{0,4}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65_535 ? port : undefined;
}

/**
 * Parses a `Host` header: `name`, `name:port`, `a.b.c.d[:port]` or `[v6][:port]`. Undefined for
 * anything else: empty, userinfo (`a@b`), paths, several ports, an unbracketed IPv6 address,
 * a list of hosts, a zone id, or a numeric name such as `0x7f.0.0.1`.
 *
 * @example
 * parseHostHeader('[::ffff:7f00:1]:8000'); // { host: '127.0.0.1', kind: 'ipv4', port: 8000 }
 * parseHostHeader('user@127.0.0.1'); // undefined
 */
export function parseHostHeader(header: string): HostHeader | undefined {
  if (!HOST_HEADER_CHARACTERS.test(header)) return undefined;
  let hostText: string;
  let portText: string | undefined;
  if (header.startsWith('[')) {
    const close = header.indexOf(']');
    if (close === -1) return undefined;
    hostText = header.slice(0, close + 1);
    const rest = header.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return undefined;
      portText = rest.slice(1);
    }
  } else {
    const parts = header.split(':');
    if (parts.length > 2) return undefined;
    hostText = parts[0] as string;
    portText = parts[1];
  }
  const host = canonicalHost(hostText);
  if (host === undefined) return undefined;
  if (portText === undefined) return { ...host, port: undefined };
  const port = parsePort(portText);
  return port === undefined ? undefined : { ...host, port };
}

function isLoopback(host: CanonicalHost): boolean {
  switch (host.kind) {
    case 'ipv4':
      return host.host.startsWith('127.');
    case 'ipv6':
      return host.host === '0:0:0:0:0:0:0:1';
    case 'name':
      return host.host === 'localhost';
  }
}

/**
 * True for an address only this machine can reach: `localhost` (any case, trailing dot),
 * `127.0.0.0/8` (also as IPv4-mapped IPv6) and `::1` in any notation, with or without brackets.
 *
 * @example
 * isLoopbackHost('[0:0:0:0:0:0:0:1]'); // true
 * isLoopbackHost('0.0.0.0'); // false: every interface
 */
export function isLoopbackHost(host: string): boolean {
  const canonical = canonicalHost(host.trim(), { bareIPv6: true });
  return canonical !== undefined && isLoopback(canonical);
}

/**
 * Checks `--allowed-host` values and returns them in canonical form: each must be a host name or
 * an address (IPv6 with or without brackets), without scheme, port or path.
 *
 * @example
 * parseAllowedHosts(['Dashboard.lan', '[fd00::1]']); // ['dashboard.lan', 'fd00:0:0:0:0:0:0:1']
 * parseAllowedHosts(['evil.example:8000']); // throws UsageError
 */
export function parseAllowedHosts(values: readonly string[]): string[] {
  return values.map((value) => {
    const canonical = canonicalHost(value.trim(), { bareIPv6: true });
    if (canonical === undefined) {
      throw new UsageError(
        `--allowed-host "${value}" is not a host name or address; give one name such as dashboard.lan or an address such as 192.168.1.10, without scheme, port or path`,
      );
    }
    return canonical.host;
  });
}

/**
 * This machine's host name and the addresses of its network interfaces, read now.
 *
 * @example
 * readMachineIdentity(); // { names: ['build-box'], addresses: ['127.0.0.1', '192.168.1.10', '::1', ...] }
 */
export function readMachineIdentity(): MachineIdentity {
  const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address));
  return { names: [hostname()], addresses };
}

/**
 * Builds the `Host` header check for a server bound as `policy` says. It accepts:
 * - every loopback spelling (`127.x.y.z`, `localhost`, `[::1]` in any notation,
 *   `[::ffff:127.0.0.1]`), whatever the bind address;
 * - when bound beyond loopback (`0.0.0.0`, `::` or another address): that address in any notation,
 *   the machine's names and interface addresses;
 * - each of `policy.allowedHosts`;
 * and only with the server's own port, or without a port when that port is 80 (browsers leave
 * out only the default port). A missing or malformed header is refused.
 *
 * @example
 * const allowed = createHostCheck({ bindHost: '127.0.0.1', port: 8000 });
 * allowed('[::1]:8000'); // true
 * allowed('evil.example:8000'); // false
 */
export function createHostCheck(policy: HostPolicy): (hostHeader: string | undefined) => boolean {
  const accepted = new Set(parseAllowedHosts(policy.allowedHosts ?? []));
  if (!isLoopbackHost(policy.bindHost)) {
    const machine = policy.machine ?? { names: [], addresses: [] };
    for (const text of [policy.bindHost, ...machine.names, ...machine.addresses]) {
      // A name this module cannot read (odd characters in a host name) could never match a header.
      const canonical = canonicalHost(text.trim(), { bareIPv6: true });
      if (canonical !== undefined) accepted.add(canonical.host);
    }
  }
  return (hostHeader) => {
    const parsed = hostHeader === undefined ? undefined : parseHostHeader(hostHeader);
    if (parsed === undefined) return false;
    if ((parsed.port ?? 80) !== policy.port) return false;
    return isLoopback(parsed) || accepted.has(parsed.host);
  };
}
