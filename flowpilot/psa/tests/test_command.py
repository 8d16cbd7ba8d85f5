"""`manage.py psa_connect`."""

import pytest
from django.core.management import CommandError, call_command

from flowpilot.psa import crypto
from flowpilot.psa.models import PsaConnection


def test_psa_connect_saves_an_encrypted_connection(account, capsys):
    call_command(
        "psa_connect",
        "--account=northwind",
        "--site=http://127.0.0.1:9000",
        "--company=northwind",
        "--public-key=PUBKEY123",
        "--private-key=PRIVKEY456",
        "--client-id=cid",
        "--push-on-resolve",
    )

    connection = PsaConnection.objects.get(account=account)
    assert connection.site == "http://127.0.0.1:9000"
    assert crypto.decrypt(connection.private_key_encrypted) == "PRIVKEY456"
    assert "PRIVKEY456" not in connection.private_key_encrypted
    assert connection.push_notes_on_resolve and not connection.push_package_on_escalate
    out = capsys.readouterr().out
    assert "NORTHWIND" in out and "PRIVKEY456" not in out and "PUBKEY123" not in out


def test_psa_connect_with_unknown_account_fails_with_a_message(db):
    with pytest.raises(CommandError, match="No account with code 'NOPE'"):
        call_command(
            "psa_connect",
            "--account=NOPE",
            "--site=x",
            "--company=c",
            "--public-key=p",
            "--private-key=k",
            "--client-id=i",
        )
