import { createHash, createHmac, randomBytes as nodeRandomBytes } from 'node:crypto';

type Encoding = 'hex' | 'base64' | 'base64url' | 'base64rawurl' | 'binary';

/** The hashing part of `k6/crypto`, over node:crypto (same digests; k6 hashes strings as UTF-8). */
export function k6CryptoModule(): Record<string, unknown> {
  const algorithms: Record<string, string> = {
    md5: 'md5', sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512', sha512_224: 'sha512-224', sha512_256: 'sha512-256',
  };
  const exports: Record<string, unknown> = {
    randomBytes: (size: number) => toArrayBuffer(nodeRandomBytes(size)),
    hmac: (algorithm: string, secret: string | ArrayBuffer, data: string | ArrayBuffer, encoding: Encoding) =>
      encode(createHmac(nodeAlgorithm(algorithm), toBuffer(secret)).update(toBuffer(data)).digest(), encoding),
    createHash: (algorithm: string) => {
      const hash = createHash(nodeAlgorithm(algorithm));
      return {
        update(input: string | ArrayBuffer) {
          hash.update(toBuffer(input));
        },
        digest: (encoding: Encoding) => encode(hash.digest(), encoding),
      };
    },
  };
  for (const [name, node] of Object.entries(algorithms)) {
    exports[name] = (input: string | ArrayBuffer, encoding: Encoding) => encode(createHash(node).update(toBuffer(input)).digest(), encoding);
  }
  function nodeAlgorithm(name: string): string {
    const node = algorithms[name.replace('-', '_')];
    if (node === undefined) throw new Error(`k6/crypto: algorithm ${name} is not provided by this harness`);
    return node;
  }
  return { ...exports, default: exports };
}

function toBuffer(input: string | ArrayBuffer): Buffer {
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(new Uint8Array(input));
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function encode(bytes: Buffer, encoding: Encoding): string | ArrayBuffer {
  switch (encoding) {
    case 'hex':
      return bytes.toString('hex');
    case 'base64':
      return bytes.toString('base64');
    case 'base64url':
      return bytes.toString('base64url') + '='.repeat((4 - (bytes.toString('base64url').length % 4)) % 4);
    case 'base64rawurl':
      return bytes.toString('base64url');
    case 'binary':
      return toArrayBuffer(bytes);
    default:
      throw new Error(`k6/crypto: output encoding ${String(encoding)} is not provided by this harness`);
  }
}
