"""RS256 JWT verification with the Python standard library only, for the
Salesforce emulator: DER parsing of an RSA public key (SubjectPublicKeyInfo
or an X.509 certificate) and PKCS#1 v1.5 signature checking."""
import base64
import hashlib
import json

# DigestInfo prefix for SHA-256 (RFC 8017, 9.2 note 1)
SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


def b64url_decode(s):
    s = s.encode() if isinstance(s, str) else s
    return base64.urlsafe_b64decode(s + b"=" * (-len(s) % 4))


def der_read(buf, pos):
    """One DER TLV at pos: (tag, content start, content end)."""
    tag = buf[pos]
    ln = buf[pos + 1]
    pos += 2
    if ln & 0x80:
        n = ln & 0x7f
        ln = int.from_bytes(buf[pos:pos + n], "big")
        pos += n
    return tag, pos, pos + ln


def der_children(buf, start, end):
    out, pos = [], start
    while pos < end:
        tag, s, e = der_read(buf, pos)
        out.append((tag, s, e))
        pos = e
    return out


def rsa_key_from_spki(der, s, e):
    """The RSA key in a SubjectPublicKeyInfo whose content is der[s:e]."""
    alg, bits = der_children(der, s, e)[:2]
    _, bs, be = bits                            # BIT STRING: 0x00 + RSAPublicKey
    tag, s, e = der_read(der, bs + 1)
    n, ex = der_children(der, s, e)[:2]
    return int.from_bytes(der[n[1]:n[2]], "big"), int.from_bytes(der[ex[1]:ex[2]], "big")


def load_public_key(pem_text):
    lines = [l for l in pem_text.strip().splitlines() if not l.startswith("-----")]
    der = base64.b64decode("".join(lines))
    if "BEGIN CERTIFICATE" in pem_text:
        tag, s, e = der_read(der, 0)               # Certificate
        tbs = der_children(der, s, e)[0]
        kids = der_children(der, tbs[1], tbs[2])
        # skip the optional [0] version, then serial, sig alg, issuer,
        # validity, subject: the 7th (or 6th) child is the SPKI
        if kids[0][0] == 0xa0:
            kids = kids[1:]
        _, s, e = kids[5]
        return rsa_key_from_spki(der, s, e)
    _, s, e = der_read(der, 0)
    return rsa_key_from_spki(der, s, e)


def verify_rs256(token, key):
    """Returns (header, claims) when the signature is valid, else raises ValueError."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("malformed JWT")
    header = json.loads(b64url_decode(parts[0]))
    claims = json.loads(b64url_decode(parts[1]))
    if header.get("alg") != "RS256":
        raise ValueError("alg is not RS256")
    n, e = key
    k = (n.bit_length() + 7) // 8
    sig = b64url_decode(parts[2])
    if len(sig) != k:
        raise ValueError("signature length")
    em = pow(int.from_bytes(sig, "big"), e, n).to_bytes(k, "big")
    digest = hashlib.sha256((parts[0] + "." + parts[1]).encode()).digest()
    expected = b"\x00\x01" + b"\xff" * (k - 3 - len(SHA256_PREFIX) - 32) + b"\x00" + \
        SHA256_PREFIX + digest
    if em != expected:
        raise ValueError("bad signature")
    return header, claims
