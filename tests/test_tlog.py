"""The transparency log's formats: RFC 6962 hashing and proofs, C2SP tiles, signed notes, checkpoints."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ocpp_directory.outputs import tlog

#: the example of C2SP signed-note (section "Verifier keys", Example)
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = ("This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7"
             "Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n")
#: the example of C2SP tlog-checkpoint
SPEC_CHECKPOINT = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


def mth(leaves: list[bytes]) -> bytes:
    """RFC 6962's recursive definition, as written."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return tlog.node_hash(mth(leaves[:k]), mth(leaves[k:]))


LEAVES = [tlog.leaf_hash(f"entry {i}".encode()) for i in range(70)]


def test_the_spec_example_note_verifies_and_a_change_does_not():
    verifier = tlog.parse_vkey(SPEC_VKEY)
    assert tlog.open_note(SPEC_NOTE, verifier) == "This is an example message.\n"
    with pytest.raises(tlog.LogError, match="does not verify"):
        tlog.open_note(SPEC_NOTE.replace("example message", "example massage"), verifier)
    other = tlog.Verifier("example.com/bar", verifier.public)
    with pytest.raises(tlog.LogError, match="no signature of example.com/bar"):
        tlog.open_note(SPEC_NOTE, other)


def test_a_key_signs_notes_its_verifier_key_opens():
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    verifier = tlog.Verifier("certification.example.org/log", public)
    assert verifier.id == hashlib.sha256(b"certification.example.org/log\n\x01" + public).digest()[:4]
    assert tlog.parse_vkey(verifier.vkey()) == verifier
    note = tlog.sign_note("certification.example.org/log\n3\n" + "A" * 43 + "=\n", verifier.name, key)
    assert tlog.open_note(note, verifier).startswith("certification.example.org/log\n3\n")
    with pytest.raises(tlog.LogError):
        tlog.parse_vkey(verifier.vkey().replace(verifier.id.hex(), "00000000"))


def test_the_checkpoint_example_parses_and_prints_the_same():
    checkpoint = tlog.parse_checkpoint(SPEC_CHECKPOINT)
    assert (checkpoint.origin, checkpoint.size) == ("example.com/behind-the-sofa", 20852163)
    assert checkpoint.text() == SPEC_CHECKPOINT
    for bad in ("origin\n-1\nAAAA\n", "origin\n12\nnot base64\n", "origin\n012\n" + "A" * 43 + "=\n", ""):
        with pytest.raises(tlog.LogError):
            tlog.parse_checkpoint(bad)


def test_the_root_is_rfc_6962s_and_every_inclusion_proof_verifies():
    for n in range(0, len(LEAVES) + 1):
        assert tlog.root(LEAVES[:n]) == mth(LEAVES[:n]), n
        for i in range(n):
            proof = tlog.inclusion_proof(LEAVES[:n], i)
            assert tlog.Tree(LEAVES[:n]).proof(i) == proof
            assert tlog.verify_inclusion(LEAVES[i], i, n, proof, mth(LEAVES[:n])), (i, n)
            assert not tlog.verify_inclusion(LEAVES[i], i + n, n, proof, mth(LEAVES[:n]))  # no such index
            if proof:
                bad = [proof[0][:-1] + bytes([proof[0][-1] ^ 1])] + proof[1:]
                assert not tlog.verify_inclusion(LEAVES[i], i, n, bad, mth(LEAVES[:n]))


def test_every_consistency_proof_verifies_and_a_rewritten_history_does_not():
    for n in range(1, 41):
        for m in range(1, n + 1):
            proof = tlog.consistency_proof(LEAVES[:n], m)
            assert tlog.verify_consistency(m, n, proof, mth(LEAVES[:m]), mth(LEAVES[:n])), (m, n)
            other = LEAVES[:m - 1] + [tlog.leaf_hash(b"rewritten")] + LEAVES[m:n]
            assert not tlog.verify_consistency(m, n, tlog.consistency_proof(other, m), mth(LEAVES[:m]), mth(other))
    assert tlog.verify_consistency(0, 5, [], b"", mth(LEAVES[:5]))


def test_tiles_as_the_spec_lays_them_out():
    assert tlog.tile_index(1234067) == "x001/x234/067" and tlog.tile_index(5) == "005"
    assert tlog.tile_path(0, 5, 17) == "tile/0/005.p/17" and tlog.bundle_path(1) == "tile/entries/001"
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(70_000)]
    made = tlog.tiles(leaves)
    # "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level 0 tile of width
    # 112, one full level 1 tile, one partial level 1 tile of width 17, and one partial level 2 tile of width 1"
    assert sum(1 for p in made if p.startswith("tile/0/") and ".p/" not in p) == 273
    assert "tile/0/273.p/112" in made and "tile/1/000" in made and "tile/1/001.p/17" in made
    assert "tile/2/000.p/1" in made and len(made) == 273 + 1 + 1 + 1 + 1
    assert made["tile/1/000"][:32] == tlog.root(leaves[:256])
    assert tlog.tiles(leaves[:256]).keys() == {"tile/0/000", "tile/1/000.p/1"}


def test_entry_bundles_round_trip_and_refuse_an_entry_too_long():
    entries = [f"entry {i}".encode() * (i % 5 + 1) for i in range(300)]
    made = tlog.bundles(entries)
    assert set(made) == {"tile/entries/000", "tile/entries/001.p/44"}
    assert tlog.read_bundle(made["tile/entries/000"]) + tlog.read_bundle(made["tile/entries/001.p/44"]) == entries
    with pytest.raises(tlog.LogError):
        tlog.read_bundle(made["tile/entries/000"][:-1])
    with pytest.raises(tlog.LogError, match="at most 65535"):
        tlog.bundles([b"x" * 70_000])
