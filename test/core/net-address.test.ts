// Addresses as servers bind them and clients reach them: brackets, loopback, wildcards, exposure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bindExposure,
  connectAddress,
  hostForUrl,
  isWildcardAddress,
  withoutBrackets,
} from '../../src/core/net-address.ts';

test('IPv6 literals go into URLs in brackets; a typed [::1] binds as ::1', () => {
  assert.equal(hostForUrl('::1'), '[::1]');
  assert.equal(hostForUrl('127.0.0.1'), '127.0.0.1');
  assert.equal(hostForUrl('localhost'), 'localhost');
  assert.equal(withoutBrackets('[::1]'), '::1');
  assert.equal(withoutBrackets('::1'), '::1');
});

test('a wildcard bind is reached through the loopback of its family', () => {
  assert.ok(isWildcardAddress('::') && isWildcardAddress('0:0:0:0:0:0:0:0') && isWildcardAddress('0.0.0.0'));
  assert.equal(connectAddress('0.0.0.0'), '127.0.0.1');
  assert.equal(connectAddress('::'), '::1');
  assert.equal(connectAddress('::1'), '::1');
  assert.equal(connectAddress('192.168.1.5'), '192.168.1.5');
});

test('binding beyond loopback names the exposure; loopback binds say nothing', () => {
  assert.equal(bindExposure('127.0.0.1'), null);
  assert.equal(bindExposure('::1'), null);
  assert.match(bindExposure('0.0.0.0') ?? '', /every IPv4 interface/);
  assert.match(bindExposure('::') ?? '', /every interface \(::/);
  assert.match(
    bindExposure('192.168.1.5') ?? '',
    /^192\.168\.1\.5, a network address: machines on that network/,
  );
});
