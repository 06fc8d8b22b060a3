import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every level, drops undefined properties, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[3,1]},"b":1}');
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });

  it('refuses values JSON cannot hold exactly, naming the path', () => {
    expect(() => canonicalJson({ a: [1, Infinity] }, 'config')).toThrow(
      new ConfigError('config.a[1] is Infinity, which JSON cannot store'),
    );
    expect(() => canonicalJson({ d: new Date(0) }, 'config')).toThrow(ConfigError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic, 'config')).toThrow('config.self refers to itself');
  });

  it('hashes with SHA-256', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
