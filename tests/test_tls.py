"""`serve --tls-cert/--tls-key`: gRPC and HTTP over TLS, with a CA made in the test.

Clients (Client, the logger, connect, the CLI) verify the server against the CA file
given as `tls_ca` / `--tls-ca` / STREAMVIS_TLS_CA; a plaintext client gets nowhere.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from websockets.sync.client import connect as ws_connect

import streamvis
from streamvis import cli
from streamvis.client import Client
from streamvis.model.errors import UnavailableError
from streamvis.testing import ServerProcess

TOKEN = "tls-token-0123456789abcdef"  # noqa: S105 - a test token


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """(ca.pem, server.pem, server-key.pem): a CA and a server certificate for 127.0.0.1."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(_name("streamvis test CA"))
        .issuer_name(_name("streamvis test CA")).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = directory / "ca.pem", directory / "server.pem", directory / "server-key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return paths


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return make_certificates(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def server(
    certs: tuple[Path, Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    ca, cert, key = certs
    with ServerProcess(
        str(tmp_path_factory.mktemp("tls")), tls_ca=str(ca),
        extra_args=["--tls-cert", str(cert), "--tls-key", str(key), "--token", TOKEN],
    ) as proc:
        yield proc


def test_grpc_over_tls(server: ServerProcess, certs: tuple[Path, Path, Path]) -> None:
    assert "[TLS, token required]" in server.output[0]
    with Client(server.uri, tls_ca=certs[0], token=TOKEN) as client:
        client.create_field("tls_x", "float")
        assert "tls_x" in [f.name for f in client.fields()]
    with Client(server.uri, token=TOKEN, timeout=3) as plain, pytest.raises(UnavailableError):
        plain.fields()
    # TLS against the system's roots: they do not know this test CA.
    with Client(server.uri, tls=True, token=TOKEN, timeout=3) as unverified, \
            pytest.raises(UnavailableError):
        unverified.fields()


def test_logger_connect_and_cli_over_tls(
    server: ServerProcess, certs: tuple[Path, Path, Path], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    ca = certs[0]
    with streamvis.DataLogger(server.uri, tls_ca=ca, token=TOKEN, strict=True,
                              spool_dir=tmp_path) as log:
        log.declare(fields={"tls_step": "int"}, series={"tls_s": ["tls_step"]})
        log.write("tls_s", tls_step=np.arange(3))
    with streamvis.connect(server.uri, tls_ca=ca, token=TOKEN) as conn:
        assert "tls_s" in [s.name for s in conn.series()]
    monkeypatch.setenv("STREAMVIS_TLS_CA", str(ca))
    monkeypatch.setenv("STREAMVIS_TOKEN", TOKEN)
    assert cli.main(["series", "--uri", server.uri, "--json"]) == 0
    assert "tls_s" in capsys.readouterr().out


def test_http_and_websocket_over_tls(
    server: ServerProcess, certs: tuple[Path, Path, Path]
) -> None:
    assert server.web_url.startswith("https://")
    context = ssl.create_default_context(cafile=str(certs[0]))
    with httpx.Client(base_url=server.web_url, verify=context, timeout=30) as http:
        login = http.post("/login", data={"token": TOKEN, "next": "/"})
        assert login.status_code == 303
        assert "Secure" in login.headers["set-cookie"]
        assert http.get("/api/info").json()["tls"] is True
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.web_url + "api/info", timeout=5)  # the system's roots: refused
    url = server.web_url.replace("https://", "wss://") + "api/events"
    with ws_connect(url, ssl=context, additional_headers={"authorization": f"Bearer {TOKEN}"},
                    open_timeout=10) as ws:
        ws.ping().wait(10)


def test_a_cert_without_its_key_is_refused(certs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    assert cli.main(["serve", "--data-dir", str(tmp_path / "d"), "--grpc-port", "0",
                     "--http-port", "0", "--tls-cert", str(certs[1])]) == cli.EXIT_ERROR
    assert not (tmp_path / "d").exists()
