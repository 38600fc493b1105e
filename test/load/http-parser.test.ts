import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BODY_PEEK_BYTES, HttpResponseParser, type ParsedResponse } from '../../src/load/http-parser.ts';
import { MAX_TEMPLATE_BYTES, ReplyTemplate } from '../../src/load/reply-template.ts';

function parse(chunks: string[], options: { keepBody?: boolean; noBody?: boolean; close?: boolean } = {}) {
  const responses: { status: number; keepAlive: boolean; body: string | undefined }[] = [];
  const malformed: string[] = [];
  const parser = new HttpResponseParser(
    options.keepBody ?? true,
    (r: ParsedResponse) => {
      responses.push({ status: r.status, keepAlive: r.keepAlive, body: r.body?.toString() });
      return false;
    },
    (reason) => malformed.push(reason),
  );
  parser.noBody = options.noBody ?? false;
  for (const chunk of chunks) parser.feed(Buffer.from(chunk, 'latin1'));
  if (options.close) parser.finishOnClose();
  return { responses, malformed, midResponse: parser.midResponse };
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello';

test('content-length response, whole and split at every byte', () => {
  assert.deepEqual(parse([OK]).responses, [{ status: 200, keepAlive: true, body: 'hello' }]);
  const bytes = [...OK];
  const split = parse(bytes);
  assert.deepEqual(split.responses, [{ status: 200, keepAlive: true, body: 'hello' }]);
  assert.equal(split.midResponse, false);
});

test('pipelined responses packed into one chunk are all delivered in order', () => {
  const two = `${OK}HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\n\r\nnopHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n`;
  assert.deepEqual(
    parse([two]).responses.map((r) => [r.status, r.body]),
    [
      [200, 'hello'],
      [404, 'nop'],
      [200, ''],
    ],
  );
});

test('chunked body with extensions and trailers, split mid-size and mid-CRLF', () => {
  const text =
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nhel\r\n2\r\nlo\r\n0\r\nX-Trailer: 1\r\n\r\n';
  assert.deepEqual(parse([text]).responses, [{ status: 200, keepAlive: true, body: 'hello' }]);
  const cut = [text.slice(0, 47), text.slice(47, 52), text.slice(52, 60), text.slice(60)];
  assert.deepEqual(parse(cut).responses, [{ status: 200, keepAlive: true, body: 'hello' }]);
});

test('HTTP/1.0 without content-length: the body ends at close, and only then', () => {
  const text = 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhel';
  const open = parse([text, 'lo']);
  assert.equal(open.responses.length, 0);
  assert.equal(open.midResponse, true);
  assert.deepEqual(parse([text, 'lo'], { close: true }).responses, [
    { status: 200, keepAlive: false, body: 'hello' },
  ]);
});

test('keep-alive semantics: HTTP/1.0 closes unless keep-alive; HTTP/1.1 keeps unless close', () => {
  assert.equal(parse(['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n']).responses[0]?.keepAlive, false);
  assert.equal(
    parse(['HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n']).responses[0]?.keepAlive,
    true,
  );
  assert.equal(
    parse(['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n']).responses[0]?.keepAlive,
    false,
  );
});

test('204, HEAD and 1xx carry no body', () => {
  assert.deepEqual(parse(['HTTP/1.1 204 No Content\r\n\r\n']).responses, [
    { status: 204, keepAlive: true, body: '' },
  ]);
  assert.deepEqual(
    parse(['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'], { noBody: true }).responses.length,
    1,
  );
  assert.deepEqual(parse([`HTTP/1.1 100 Continue\r\n\r\n${OK}`]).responses, [
    { status: 200, keepAlive: true, body: 'hello' },
  ]);
});

test('the body is not kept unless asked', () => {
  assert.deepEqual(parse([OK], { keepBody: false }).responses, [
    { status: 200, keepAlive: true, body: undefined },
  ]);
});

test('without keepBody, a peek of the body is kept for the statuses asked about (error samples)', () => {
  const bodies: (string | undefined)[] = [];
  const parser = new HttpResponseParser(
    false,
    (r) => {
      bodies.push(r.body?.toString());
      return false;
    },
    () => undefined,
  );
  parser.peekOn = (status) => status >= 400;
  const long = 'x'.repeat(200);
  parser.feed(
    Buffer.from(
      `${OK}HTTP/1.1 500 Oops\r\ncontent-length: 200\r\n\r\n${long}HTTP/1.1 404 No\r\ntransfer-encoding: chunked\r\n\r\n3\r\nnop\r\n0\r\n\r\n`,
      'latin1',
    ),
  );
  assert.deepEqual(bodies, [undefined, 'x'.repeat(BODY_PEEK_BYTES), 'nop']);
});

test('malformed replies are reported, never delivered as responses', () => {
  for (const bad of [
    'ping',
    'HTTP/2 200 OK\r\n\r\n',
    'HTTP/1.1 2x0 OK\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhiXX',
  ]) {
    const result = parse([bad.endsWith('\r\n\r\n') || bad.includes('chunked') ? bad : `${bad}\r\n\r\n`]);
    assert.equal(result.responses.length, 0, bad);
    assert.equal(result.malformed.length, 1, bad);
  }
});

/**
 * Feeds chunks through a parser with a template; `success` plays the
 * verifier (only what it accepts may become the template). Each response is
 * reported as [status, body or 'repeat'].
 */
function parseWithTemplate(
  chunks: (string | Buffer)[],
  success: (r: ParsedResponse) => boolean = (r) => r.status === 200 && r.body?.toString() === 'hello',
  template = new ReplyTemplate(),
) {
  const seen: [number, string][] = [];
  const malformed: string[] = [];
  const parser = new HttpResponseParser(
    true,
    (r) => {
      seen.push([r.status, r.repeat ? 'repeat' : (r.body?.toString() ?? '-')]);
      return r.repeat || success(r);
    },
    (reason) => malformed.push(reason),
    template,
  );
  for (const chunk of chunks) parser.feed(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  return { seen, malformed, template };
}

test('template: a reply byte-identical to a verified one is a repeat, packed or alone, at any offset', () => {
  // Three packed (the second and third start at offsets that are not multiples of 4), then one alone.
  const { seen } = parseWithTemplate([`${OK}${OK}${OK}`, OK]);
  assert.deepEqual(seen, [
    [200, 'hello'],
    [200, 'repeat'],
    [200, 'repeat'],
    [200, 'repeat'],
  ]);
  // The same bytes at an odd offset of a larger buffer (a shared read buffer).
  const big = Buffer.alloc(1000, 0x20);
  big.write(`${OK}${OK}`, 7, 'latin1');
  assert.deepEqual(parseWithTemplate([big.subarray(7, 7 + OK.length * 2)]).seen, [
    [200, 'hello'],
    [200, 'repeat'],
  ]);
});

test('template: any changed byte, length or framing goes through the parser and the verifier', () => {
  const wrongBody = OK.replace('hello', 'hellx'); // same length, different bytes
  const longer = 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello!';
  const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n';
  const status = OK.replace('200 OK', '503 No');
  const { seen } = parseWithTemplate([OK, OK, wrongBody, OK, longer, OK, chunked, chunked, status, OK]);
  assert.deepEqual(seen, [
    [200, 'hello'],
    [200, 'repeat'],
    [200, 'hellx'], // parsed: the verifier rejects it, so it does not replace the template
    [200, 'repeat'],
    [200, 'hello!'],
    [200, 'repeat'],
    [200, 'hello'], // chunked: parsed, verified, and becomes the template
    [200, 'repeat'],
    [503, 'hello'],
    [200, 'hello'], // the Content-Length reply is no longer the template
  ]);
});

test('template: a reply that failed verification never becomes one', () => {
  const bad = OK.replace('200 OK', '500 No');
  const { seen, template } = parseWithTemplate([bad, bad, bad]);
  assert.deepEqual(seen, [
    [500, 'hello'],
    [500, 'hello'],
    [500, 'hello'],
  ]);
  assert.equal(template.length, 0);
});

test('template: a reply split across reads, close-delimited or too large is parsed, never matched half-way', () => {
  // Split at every byte after the template is known: fewer bytes than the template → parser path.
  const split = parseWithTemplate([OK, ...[...OK]]);
  assert.deepEqual(split.seen, [
    [200, 'hello'],
    [200, 'hello'],
  ]);
  // A body that runs to the close is never learned.
  const template = new ReplyTemplate();
  const closing = new HttpResponseParser(
    true,
    () => true,
    () => {},
    template,
  );
  closing.feed(Buffer.from('HTTP/1.0 200 OK\r\n\r\nhello'));
  assert.equal(closing.finishOnClose(), true);
  assert.equal(template.length, 0);
  // Larger than MAX_TEMPLATE_BYTES: not learned.
  const body = 'x'.repeat(MAX_TEMPLATE_BYTES);
  const large = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const result = parseWithTemplate([large, large], () => true);
  assert.equal(result.template.length, 0);
  assert.deepEqual(
    result.seen.map(([s, b]) => [s, b.length]),
    [
      [200, body.length],
      [200, body.length],
    ],
  );
});

test('template: a 1xx interim response before a repeat is parsed, the repeat still matches', () => {
  const { seen } = parseWithTemplate([OK, `HTTP/1.1 100 Continue\r\n\r\n${OK}`]);
  assert.deepEqual(seen, [
    [200, 'hello'],
    [200, 'repeat'],
  ]);
});
