"""A transparency log in the formats of the certificate-transparency ecosystem, on ``cryptography``.

- RFC 6962 (section 2.1) Merkle tree hashing: a leaf is SHA-256(0x00 || entry), a node
  SHA-256(0x01 || left || right); inclusion and consistency proofs, and their checks.
- C2SP tlog-tiles: the tree as tiles of 256 hashes (``tile/<L>/<N>[.p/<W>]``) and the entries
  as bundles (``tile/entries/<N>[.p/<W>]``, each entry a big-endian uint16 length and its bytes).
- C2SP tlog-checkpoint, signed as a C2SP signed-note with Ed25519; verifier keys
  (``<name>+<hex key ID>+<base64(0x01 || public key)>``).

Pure functions over bytes: what is written where, and whether a proof holds.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass

TILE_WIDTH = 256
ED25519 = 0x01
#: an entry bundle holds entries of at most this many bytes (their length is a uint16)
ENTRY_MAX = 0xFFFF


class LogError(ValueError):
    """A note, key, checkpoint or proof that is malformed or does not verify."""


# -- RFC 6962 hashing ------------------------------------------------------------------------------

def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH of the leaf hashes ``leaves`` (the empty tree's is SHA-256 of nothing)."""
    return Tree(leaves).root


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 6962 PATH(index, D[0:n]) over the leaf hashes."""
    if not 0 <= index < len(leaves):
        raise LogError(f"no leaf {index} in a tree of {len(leaves)}")
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return inclusion_proof(leaves[:k], index) + [root(leaves[k:])]
    return inclusion_proof(leaves[k:], index - k) + [root(leaves[:k])]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected: bytes) -> bool:
    """Whether ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree of ``size`` with root ``expected``
    (RFC 9162, section 2.1.3.2)."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected


class Tree:
    """A tree's levels, made once, for the inclusion proofs of many leaves (each O(log n))."""

    def __init__(self, leaves: Sequence[bytes]):
        self.levels = [list(leaves)]
        while len(self.levels[-1]) > 1:
            level = self.levels[-1]
            nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                nxt.append(level[-1])  # a lone right node rises: the tree of RFC 6962
            self.levels.append(nxt)

    @property
    def root(self) -> bytes:
        return self.levels[-1][0] if self.levels[0] else hashlib.sha256(b"").digest()

    def proof(self, index: int) -> list[bytes]:
        """The same path as :func:`inclusion_proof`: each level's sibling, where the node has one."""
        if not 0 <= index < len(self.levels[0]):
            raise LogError(f"no leaf {index} in a tree of {len(self.levels[0])}")
        path = []
        for level in self.levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):
                path.append(level[sibling])
            index //= 2
        return path


def consistency_proof(leaves: Sequence[bytes], old: int) -> list[bytes]:
    """RFC 6962 PROOF(old, D[0:n]): that the tree of ``old`` leaves is a prefix of this one."""
    if not 0 < old <= len(leaves):
        raise LogError(f"no consistency proof from size {old} to {len(leaves)}")
    return _subproof(leaves, old, True)


def _subproof(leaves: Sequence[bytes], m: int, whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [root(leaves)]
    k = _split(n)
    if m <= k:
        return _subproof(leaves[:k], m, whole) + [root(leaves[k:])]
    return _subproof(leaves[k:], m - k, False) + [root(leaves[:k])]


def verify_consistency(old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes,
                       new_root: bytes) -> bool:
    """Whether ``proof`` shows the tree of ``old_size`` (``old_root``) a prefix of the tree of ``new_size``
    (``new_root``) (RFC 9162, section 2.1.4.2)."""
    if old_size == new_size:
        return not proof and old_root == new_root
    if not 0 < old_size < new_size or not proof:
        return old_size == 0 and not proof
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


# -- C2SP tlog-tiles -------------------------------------------------------------------------------

def tile_index(n: int) -> str:
    """A tile index as zero-padded 3-digit path elements, all but the last prefixed with x."""
    parts = []
    while True:
        parts.append(f"{n % 1000:03d}")
        n //= 1000
        if not n:
            break
    return "/".join([f"x{p}" for p in reversed(parts[1:])] + [parts[0]])


def tile_path(level: int, n: int, width: int = TILE_WIDTH) -> str:
    return f"tile/{level}/{tile_index(n)}" + (f".p/{width}" if width < TILE_WIDTH else "")


def bundle_path(n: int, width: int = TILE_WIDTH) -> str:
    return f"tile/entries/{tile_index(n)}" + (f".p/{width}" if width < TILE_WIDTH else "")


def tiles(leaves: Sequence[bytes]) -> dict[str, bytes]:
    """Every tile of the tree of these leaf hashes, full and partial, by path."""
    out: dict[str, bytes] = {}
    level, hashes = 0, list(leaves)
    while hashes:
        full = len(hashes) // TILE_WIDTH
        for n in range(full):
            out[tile_path(level, n)] = b"".join(hashes[n * TILE_WIDTH:(n + 1) * TILE_WIDTH])
        rest = hashes[full * TILE_WIDTH:]
        if rest:
            out[tile_path(level, full, len(rest))] = b"".join(rest)
        hashes = [root(hashes[n * TILE_WIDTH:(n + 1) * TILE_WIDTH]) for n in range(full)]
        level += 1
    return out


def bundles(entries: Sequence[bytes]) -> dict[str, bytes]:
    """Every entry bundle, full and partial, by path."""
    out: dict[str, bytes] = {}
    for start in range(0, len(entries), TILE_WIDTH):
        chunk = entries[start:start + TILE_WIDTH]
        for entry in chunk:
            if len(entry) > ENTRY_MAX:
                raise LogError(f"an entry of {len(entry)} bytes; at most {ENTRY_MAX}")
        out[bundle_path(start // TILE_WIDTH, len(chunk))] = b"".join(struct.pack(">H", len(e)) + e for e in chunk)
    return out


def read_bundle(data: bytes) -> list[bytes]:
    """The entries of an entry bundle; raises :class:`LogError` if it is cut short."""
    out, at = [], 0
    while at < len(data):
        if at + 2 > len(data):
            raise LogError("an entry bundle ends inside a length")
        (length,) = struct.unpack(">H", data[at:at + 2])
        if at + 2 + length > len(data):
            raise LogError("an entry bundle ends inside an entry")
        out.append(data[at + 2:at + 2 + length])
        at += 2 + length
    return out


# -- C2SP signed-note and tlog-checkpoint ------------------------------------------------------------

def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ED25519]) + public).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    name: str
    public: bytes

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.public)

    def vkey(self) -> str:
        """The verifier key in C2SP form: name+hex(key ID)+base64(0x01 || public key)."""
        return f"{self.name}+{self.id.hex()}+{base64.b64encode(bytes([ED25519]) + self.public).decode()}"


def parse_vkey(text: str) -> Verifier:
    """A C2SP verifier key; raises :class:`LogError`."""
    try:
        name, hex_id, encoded = text.strip().split("+", 2)  # base64 may hold "+"
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise LogError("a verifier key is name+hex(key ID)+base64(0x01 || public key)") from None
    if not name or len(raw) != 33 or raw[0] != ED25519:
        raise LogError("not an Ed25519 verifier key")
    verifier = Verifier(name, raw[1:])
    if verifier.id.hex() != hex_id:
        raise LogError("the verifier key's ID does not match its name and public key")
    return verifier


def sign_note(text: str, name: str, private_key) -> str:
    """``text`` (ending in a newline) signed as a note by the Ed25519 ``private_key`` under ``name``."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    if not text.endswith("\n"):
        raise LogError("a note's text ends in a newline")
    public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    signature = private_key.sign(text.encode("utf-8"))
    line = base64.b64encode(key_id(name, public) + signature).decode()
    return f"{text}\n\u2014 {name} {line}\n"


def open_note(note: str, verifier: Verifier) -> str:
    """The text of ``note`` if ``verifier`` signed it; raises :class:`LogError` otherwise."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    text, sep, signatures = note.rpartition("\n\n")
    if not sep:
        raise LogError("not a signed note: no blank line before the signatures")
    text += "\n"
    for line in signatures.splitlines():
        prefix = f"\u2014 {verifier.name} "
        if not line.startswith(prefix):
            continue
        try:
            raw = base64.b64decode(line[len(prefix):], validate=True)
        except ValueError:
            continue
        if raw[:4] != verifier.id:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(verifier.public).verify(raw[4:], text.encode("utf-8"))
        except InvalidSignature:
            raise LogError(f"the signature of {verifier.name} does not verify") from None
        return text
    raise LogError(f"the note carries no signature of {verifier.name}")


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """A checkpoint's note text: origin, size, base64 root hash (extension lines ignored)."""
    lines = text.split("\n")
    try:
        origin, size, root_hash = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
    except (IndexError, ValueError):
        raise LogError("a checkpoint is its origin, its tree size and its root hash, a line each") from None
    if not origin or size < 0 or len(root_hash) != 32 or str(size) != lines[1]:
        raise LogError("a checkpoint is its origin, its tree size and its root hash, a line each")
    return Checkpoint(origin, size, root_hash)
