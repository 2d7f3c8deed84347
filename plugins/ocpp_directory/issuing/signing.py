"""Signing certificate documents (PAdES with pyHanko) and checking a signed document.

The key and the certificate chain come from files the operator names
(``OCPP_SIGNING_KEY``, ``OCPP_SIGNING_CERT``: PEM, the chain leaf first). Their
contents are never printed or logged; errors name the file, not what is in it.
A timestamp is added where a timestamp authority is configured
(``OCPP_TSA_URL``): PAdES B-T, otherwise B-B.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import io
import os
from dataclasses import dataclass
from pathlib import Path

from ..model.errors import DirectoryError

#: the repository's fictional signing material: documents it signed are never published
TEST_MATERIAL = Path(__file__).resolve().parents[3] / "assets" / "test-signing"
TEST_CA = TEST_MATERIAL / "TEST-ONLY-ca.pem"


class SigningError(DirectoryError):
    """The signing key or certificate cannot be used; nothing was written."""


@dataclass(frozen=True)
class Keys:
    key: Path
    chain: Path
    tsa_url: str | None = None


def keys_from_environment(env: dict | None = None) -> Keys:
    """The operator's signing key and chain; raises :class:`SigningError` saying what to set."""
    env = os.environ if env is None else env
    key, chain = env.get("OCPP_SIGNING_KEY"), env.get("OCPP_SIGNING_CERT")
    if not key or not chain:
        raise SigningError("no signing key: set OCPP_SIGNING_KEY to the OCA's private key (PEM) and "
                           "OCPP_SIGNING_CERT to its certificate chain (PEM, the signing certificate first), as "
                           "environment or make variables")
    for name, value in (("OCPP_SIGNING_KEY", key), ("OCPP_SIGNING_CERT", chain)):
        if not Path(value).is_file():
            raise SigningError(f"{name} names {value}, which is not a readable file")
    if Path(key).resolve().parent != TEST_MATERIAL:  # the TEST-ONLY key is public by design
        private_file(Path(key), "OCPP_SIGNING_KEY")
    keys = Keys(Path(key), Path(chain), env.get("OCPP_TSA_URL") or None)
    check_pair(keys)
    return keys


def key_file_problem(path: str | Path, name: str) -> str | None:
    """Why the key file ``path`` (the setting ``name``) must not be used, or None: a key is its owner's
    alone (the signing key here, the log key for a production publish: publishing/production.py)."""
    try:
        mode = Path(path).stat().st_mode & 0o777
    except OSError as exc:
        return f"{name} names {path}, which cannot be read ({exc.strerror})"
    if mode & 0o077:
        return f"{name} names {path}, which others may read or write (mode {mode:o}): run chmod 600 {path}"
    return None


def private_file(path: Path, name: str) -> None:
    """Refuse a key file that others than its owner may read or write (raises :class:`SigningError`)."""
    problem = key_file_problem(path, name)
    if problem:
        raise SigningError(f"{problem}; a signing key must be its owner's alone, and nothing was done")


def check_pair(keys: Keys) -> None:
    """The private key must be the key of the chain's first (signing) certificate: a document signed with
    another key would carry a signature no one can verify. Raises :class:`SigningError`, never showing the key."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_private_key

    certs = _pem_certificates(keys.chain)
    if not certs:
        raise SigningError(f"OCPP_SIGNING_CERT names {keys.chain}, which holds no PEM certificate")
    try:
        private = load_pem_private_key(keys.key.read_bytes(), password=None)
        cert = x509.load_pem_x509_certificate(certs[0])
    except (ValueError, TypeError):
        raise SigningError(f"{keys.key} is not an unencrypted PEM private key, or {keys.chain} not a PEM "
                           "certificate chain; nothing was signed") from None
    raw = (Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    if private.public_key().public_bytes(*raw) != cert.public_key().public_bytes(*raw):
        raise SigningError(f"the key in {keys.key} is not the key of the first certificate in {keys.chain} "
                           f"({cert.subject.rfc4514_string()}): documents signed with it would not verify. "
                           "Name the matching key and chain; nothing was signed")


def sign(pdf: bytes, keys: Keys, reason: str) -> bytes:
    """``pdf`` signed by ``keys`` as a PAdES signature covering the whole file."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps

    certs = _pem_certificates(keys.chain)
    if not certs:
        raise SigningError(f"{keys.chain} holds no PEM certificate")
    import tempfile

    with tempfile.TemporaryDirectory() as folder:  # the public certificates, one a file, as pyHanko loads them
        files = []
        for i, cert in enumerate(certs):
            files.append(Path(folder, f"{i}.pem"))
            files[-1].write_bytes(cert)
        try:
            signer = signers.SimpleSigner.load(str(keys.key), str(files[0]), ca_chain_files=[str(f) for f in files[1:]])
        except Exception:  # noqa: BLE001 - pyHanko raises many kinds; none may show the key
            signer = None
    if signer is None:
        raise SigningError(f"{keys.key} is not a private key (PEM, unencrypted) that matches {keys.chain}")
    meta = signers.PdfSignatureMetadata(field_name="OCA-Signature", md_algorithm="sha256", reason=reason,
                                        name="Open Charge Alliance", subfilter=fields.SigSeedSubFilter.PADES)
    stamper = timestamps.HTTPTimeStamper(keys.tsa_url) if keys.tsa_url else None
    out = signers.PdfSigner(meta, signer=signer, timestamper=stamper).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)))
    return out.getvalue()


def _pem_certificates(path: Path) -> list[bytes]:
    text = path.read_bytes()
    out, start = [], 0
    while True:
        begin = text.find(b"-----BEGIN CERTIFICATE-----", start)
        if begin < 0:
            return out
        end = text.find(b"-----END CERTIFICATE-----", begin)
        if end < 0:
            return out
        end += len(b"-----END CERTIFICATE-----")
        out.append(text[begin:end] + b"\n")
        start = end


@dataclass(frozen=True)
class Checked:
    """What checking a document's signature found."""

    signed: bool
    #: the signature is intact and covers the whole file
    intact: bool = False
    #: the signer's chain leads to the trusted certificate authority
    trusted: bool = False
    signer: str = ""
    #: SHA-256 of the signer's certificate
    signer_fingerprint: str = ""


def check(pdf: bytes, trust: list[Path]) -> Checked:
    """The document's signature checked against the authorities ``trust`` names (PEM files)."""
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except Exception:  # noqa: BLE001 - not a PDF pyHanko can read: not a signed document
        return Checked(False)
    if not signatures:
        return Checked(False)
    roots = [x509.Certificate.load(pem.unarmor(c)[2]) for path in trust for c in _pem_certificates(path)]
    try:
        with _quiet("pyhanko", "pyhanko_certvalidator"):  # a signer outside ``trust`` is a finding, not a traceback
            status = validate_pdf_signature(signatures[-1], ValidationContext(trust_roots=roots, allow_fetching=False))
    except Exception:  # noqa: BLE001 - a signature pyHanko cannot even evaluate is not intact
        return Checked(True)
    cert = status.signing_cert
    return Checked(True, bool(status.intact and status.valid and status.coverage == SignatureCoverageLevel.ENTIRE_FILE),
                   bool(status.trusted), cert.subject.human_friendly if cert else "",
                   hashlib.sha256(cert.dump()).hexdigest() if cert else "")


@contextlib.contextmanager
def _quiet(*names: str):
    """The named libraries' loggers silenced for a while: library code stays quiet (it raises or returns)."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def attachment(pdf: bytes, name: str) -> bytes | None:
    """The file attached to the document under ``name``, or None."""
    from pypdf import PdfReader

    try:
        found = PdfReader(io.BytesIO(pdf)).attachments.get(name)
    except Exception:  # noqa: BLE001 - an unreadable PDF has no attachment
        return None
    return found[0] if found else None


def signer_fingerprints(pdf: bytes) -> list[str]:
    """SHA-256 of the certificate of every signature of ``pdf``, in order (an unreadable file: none)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
        certs = [s.signer_cert for s in signatures]
    except Exception:  # noqa: BLE001 - unreadable: no signer to name
        return []
    return [hashlib.sha256(c.dump()).hexdigest() for c in certs if c is not None]


def signer_fingerprint(pdf: bytes) -> str | None:
    """SHA-256 of the certificate that signed ``pdf`` (its last signature), or None if unsigned."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
        cert = signatures[-1].signer_cert if signatures else None
    except Exception:  # noqa: BLE001 - unreadable: no signer to name
        return None
    return hashlib.sha256(cert.dump()).hexdigest() if cert is not None else None


def test_fingerprints() -> set[str]:
    """The repository's TEST-ONLY signing certificates: documents they signed are never published."""
    from asn1crypto import pem

    found = set()
    for path in TEST_MATERIAL.glob("TEST-ONLY-*.pem"):
        for cert in _pem_certificates(path):
            found.add(hashlib.sha256(pem.unarmor(cert)[2]).hexdigest())
    return found
