"""Signing keys for tests: a certificate authority and a document signer, made afresh.

Tests make their own keys with :func:`make_keys`; the repository's fictional test
material (``assets/test-signing/TEST-ONLY-*``), which signed the samples' documents,
was made by the same function (``python -m tests.signing_keys assets/test-signing``).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def make_keys(folder: Path, prefix: str = "test", org: str = "Test Charge Alliance (TEST ONLY)") -> dict[str, Path]:
    """``<prefix>-ca.pem``, ``<prefix>-signer-key.pem`` and ``<prefix>-signer.pem`` (chain: signer, CA)."""
    folder.mkdir(parents=True, exist_ok=True)
    start = dt.datetime(2019, 1, 1, tzinfo=dt.timezone.utc)
    end = dt.datetime(2045, 1, 1, tzinfo=dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                         x509.NameAttribute(NameOID.COMMON_NAME, "TEST ONLY certificate authority" if "TEST" in org else "Test certificate authority")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, "TEST ONLY certificate documents" if "TEST" in org else "Test certificate documents")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    paths = {"ca": folder / f"{prefix}-ca.pem", "key": folder / f"{prefix}-signer-key.pem",
             "chain": folder / f"{prefix}-signer.pem"}
    paths["ca"].write_bytes(ca.public_bytes(pem))
    paths["key"].write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    paths["chain"].write_bytes(cert.public_bytes(pem) + ca.public_bytes(pem))
    paths["key"].chmod(0o600)  # a signing key is its owner's alone (make issue refuses one others may read)
    return paths


if __name__ == "__main__":
    make_keys(Path(sys.argv[1]), "TEST-ONLY", "Fictional Certification Body (TEST ONLY)")
