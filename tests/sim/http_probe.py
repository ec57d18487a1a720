# SPDX-License-Identifier: MIT
# Raw HTTP/1.1 over mutual TLS against pkiws-sim: framing edge cases and malformed requests.
# Usage: http_probe.py PORT STATE_DIR BODY_FILE. Prints "ok - <case>" per case; exits non-zero
# on the first surprise.
import socket
import ssl
import sys

port, state, body_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
BODY = open(body_file, 'rb').read()
PATH = b'/pki-ws/healthcheckService'
CTX = ssl.create_default_context(cafile=state + '/trust.pem')
CTX.load_cert_chain(state + '/ra.pem', state + '/ra.key')


def connect():
    s = socket.create_connection(('localhost', port), timeout=10)
    return CTX.wrap_socket(s, server_hostname='localhost')


class Reader:
    def __init__(self, s):
        self.s, self.buf = s, b''

    def fill(self):
        try:
            d = self.s.recv(65536)
        except (ssl.SSLError, OSError):
            d = b''
        self.buf += d
        return bool(d)

    def response(self):
        """(status, headers dict, body) of the next response, or None at end of stream."""
        while b'\r\n\r\n' not in self.buf:
            if not self.fill():
                return None
        head, self.buf = self.buf.split(b'\r\n\r\n', 1)
        lines = head.decode('latin-1').split('\r\n')
        status = int(lines[0].split()[1])
        hdrs = {}
        for ln in lines[1:]:
            k, v = ln.split(':', 1)
            hdrs[k.strip().lower()] = v.strip()
        n = int(hdrs.get('content-length', '0'))
        while len(self.buf) < n:
            if not self.fill():
                raise AssertionError('response body cut short')
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, hdrs, body

    def closed(self):
        """True when the server closes the connection; False when it stays open (0.3 s)."""
        self.s.settimeout(0.3)
        try:
            while True:
                d = self.s.recv(65536)
                if not d:
                    return True
                self.buf += d
        except socket.timeout:
            return False
        except (ssl.SSLError, OSError):
            return True
        finally:
            self.s.settimeout(10)


def req(body=BODY, extra=b'', version=b'HTTP/1.1', length=True):
    h = b'POST ' + PATH + b' ' + version + b'\r\nHost: localhost\r\nContent-Type: text/xml; charset=utf-8\r\n'
    if length:
        h += b'Content-Length: %d\r\n' % len(body)
    return h + extra + b'\r\n' + body


def expect(case, raw, status, closes=None, contains=None):
    s = connect()
    s.sendall(raw)
    r = Reader(s)
    got = r.response()
    assert got is not None, '%s: no response' % case
    assert got[0] == status, '%s: status %d, want %d (%r)' % (case, got[0], status, got[2][:200])
    if contains:
        assert contains in got[2], '%s: %r not in %r' % (case, contains, got[2][:300])
    if closes is not None:
        assert r.closed() == closes, '%s: connection %s' % (case, 'stayed open' if closes else 'closed')
    s.close()
    print('ok - %s -> %d' % (case, status))


def chunked(body, size=100, ext=b'', trailer=b''):
    out = b''
    for i in range(0, len(body), size):
        part = body[i:i + size]
        out += b'%x%s\r\n%s\r\n' % (len(part), ext, part)
    return out + b'0\r\n' + trailer + b'\r\n'


# Pipelining: two requests in one write, two answers in order, connection kept.
s = connect()
s.sendall(req() + req())
r = Reader(s)
a, b = r.response(), r.response()
assert a and b and a[0] == 200 and b[0] == 200 and b'statusCode>UP<' in b[2], 'pipelining'
s.sendall(req())
assert r.response()[0] == 200, 'third request on the same connection'
s.close()
print('ok - two pipelined requests and a third one on the same connection')

# HTTP/1.0: closes unless keep-alive is asked for.
expect('HTTP/1.0 without keep-alive', req(version=b'HTTP/1.0'), 200, closes=True)
s = connect()
s.sendall(req(version=b'HTTP/1.0', extra=b'Connection: keep-alive\r\n'))
r = Reader(s)
got = r.response()
assert got[0] == 200 and got[1].get('connection', '').lower() == 'keep-alive', 'HTTP/1.0 keep-alive'
s.sendall(req(version=b'HTTP/1.0'))
assert r.response()[0] == 200 and r.closed(), 'HTTP/1.0 second request'
s.close()
print('ok - HTTP/1.0 with Connection: keep-alive')
expect('Connection: close', req(extra=b'Connection: close\r\n'), 200, closes=True)

# Framing that is allowed: blank lines before the request, chunk extensions and trailers.
expect('leading CRLFs', b'\r\n\r\n' + req(), 200, closes=False)
expect('chunk extensions and a trailer',
       req(chunked(BODY, 37, b';name=value', b'X-Trailer: 1\r\n'), b'Transfer-Encoding: chunked\r\n',
           length=False), 200, closes=False)

# Malformed or refused: an HTTP error, then the connection closes.
expect('garbage request line', b'HELLO\r\n\r\n', 400, closes=True)
expect('HTTP/2.0', req(version=b'HTTP/2.0'), 505, closes=True)
expect('POST without a length', req(length=False), 411, closes=True)
expect('negative Content-Length', req(BODY, b'Content-Length: -5\r\n', length=False), 400, closes=True)
expect('two different Content-Lengths', req(extra=b'Content-Length: 7\r\n'), 400, closes=True)
expect('Content-Length and chunked',
       req(chunked(BODY), b'Transfer-Encoding: chunked\r\n'), 400, closes=True)
expect('Transfer-Encoding gzip', req(extra=b'Transfer-Encoding: gzip\r\n', length=False), 501,
       closes=True)
expect('Expect: 200-ok', req(extra=b'Expect: 200-ok\r\n'), 417, closes=True)
expect('header line without a colon', req(extra=b'NoColonHere\r\n'), 400, closes=True)
expect('20 kB of headers', req(extra=b'X-Big: ' + b'a' * 20000 + b'\r\n'), 431, closes=True)
expect('bad chunk size', req(b'zz\r\nabc\r\n0\r\n\r\n', b'Transfer-Encoding: chunked\r\n',
                             length=False), 400, closes=True)
expect('chunk without CRLF', req(b'3\r\nabcX0\r\n\r\n', b'Transfer-Encoding: chunked\r\n',
                                 length=False), 400, closes=True)
expect('endless chunk-size line', req(b'1' * 5000, b'Transfer-Encoding: chunked\r\n',
                                      length=False), 400, closes=True)
expect('huge chunk size', req(b'ffffffffffffffffff\r\n', b'Transfer-Encoding: chunked\r\n',
                              length=False), 400, closes=True)
expect('chunks over the body limit', req(b'200000\r\n', b'Transfer-Encoding: chunked\r\n',
                                         length=False), 413, closes=True)

# Bodies the SOAP layer refuses: faults, and the connection stays usable.
expect('invalid UTF-8', req(b'<a>\xff\xfe</a>'), 500, closes=False, contains=b'S:Client')
expect('a DTD', req(b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'), 500,
       closes=False, contains=b'S:Client')
expect('empty body', req(b''), 500, closes=False, contains=b'S:Client')
expect('deep nesting', req(b'<a>' * 5000 + b'</a>' * 5000), 500, closes=False)

# A request cut short by the client: no answer, no harm.
s = connect()
s.sendall(req()[:-10])
s.close()
expect('still serving', req(), 200, closes=False, contains=b'statusCode>UP<')
