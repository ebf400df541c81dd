"""The bot talks to Telegram over HTTPS only when it can verify the certificate.

Both of a bot's connection pools (getUpdates, and everything else) share one TLS context
(reflect_bot.telegram_http). These tests serve the emulator over HTTPS with a certificate from
a CA made here: trusted through SSL_CERT_FILE (how an operator adds a CA, e.g. behind a company
proxy), the bot works; not trusted, it sends nothing.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from telegram import Bot
from telegram.error import NetworkError

from reflect_bot import telegram_http
from reflect_bot.emulator import BotAPIEmulator
from tests.e2e.harness import running_bot

TOKEN = "123456:TLS"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None,
) -> x509.Certificate:
    now = datetime.now(UTC)
    issuer_name, signing_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if issuer is None:  # the CA
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        ).add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    else:  # the server, for 127.0.0.1
        builder = (
            builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), False
            )
        )
    return builder.sign(signing_key, hashes.SHA256())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


@pytest.fixture
async def https_telegram(tmp_path: Path) -> AsyncIterator[tuple[BotAPIEmulator, Path]]:
    """The emulator over HTTPS, and the file holding the CA that signed its certificate."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("reflect-bot test CA", ca_key, None)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _certificate("127.0.0.1", server_key, ("reflect-bot test CA", ca_key))
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(_pem(ca))
    chain = tmp_path / "server.pem"
    chain.write_bytes(_pem(server))
    key_file = tmp_path / "server.key"
    key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(chain, key_file)
    async with BotAPIEmulator(token=TOKEN, ssl_context=context) as emulator:
        yield emulator, ca_file


async def test_a_telegram_the_bot_can_verify_is_used_for_replies_and_updates(
    https_telegram: tuple[BotAPIEmulator, Path],
    migrated_sqlite_url: str,
    tmp_path: Path,
    encryption_key: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    emulator, ca_file = https_telegram
    assert emulator.base_url.startswith("https://")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    async with running_bot(
        database_url=migrated_sqlite_url, data_dir=tmp_path, key=encryption_key, emulator=emulator
    ) as bot:
        await bot.say("/start")  # comes in by getUpdates, the reply goes out by sendMessage
        notice = await bot.expect("Welcome")
        await bot.press(notice.button_texts[0], notice)
        await bot.expect("Which time zone")


async def test_a_telegram_the_bot_cannot_verify_gets_nothing(
    https_telegram: tuple[BotAPIEmulator, Path],
    migrated_sqlite_url: str,
    tmp_path: Path,
    encryption_key: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    emulator, _ = https_telegram
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with pytest.raises(NetworkError, match="CERTIFICATE_VERIFY_FAILED"):
        async with running_bot(
            database_url=migrated_sqlite_url,
            data_dir=tmp_path,
            key=encryption_key,
            emulator=emulator,
        ):
            pass
    assert emulator.requests == [], "nothing reached the untrusted server"


async def test_a_bot_without_the_application_checks_certificates_the_same_way(
    https_telegram: tuple[BotAPIEmulator, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The transcriber's bot (telegram_http.bot): refused when the CA is not trusted,
    working when it is."""
    emulator, ca_file = https_telegram

    def connect() -> Bot:
        return telegram_http.bot(
            TOKEN, base_url=emulator.base_url, base_file_url=emulator.base_file_url
        )

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with pytest.raises(NetworkError, match="CERTIFICATE_VERIFY_FAILED"):
        async with connect():
            pass
    assert emulator.requests == []
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    async with connect() as bot:
        assert bot.username  # getMe answered over verified TLS
