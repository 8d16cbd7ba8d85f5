"""Item 4 of issue 13: a corpus of secret shapes that must be masked and look-alikes that must survive."""

import pytest

from flowpilot.redact import MASK, redact, redact_private_keys, redacted_excerpt

# (text as a tech would paste it, the secret that must not survive)
SECRETS = [
    (r"net use Z: \\fs01\finance /user:CORP\jdoe Winter2026!", "Winter2026!"),
    (r"net use \\fs01\ipc$ Spr1ng#Pass /user:CORP\admin", "Spr1ng#Pass"),
    (r'net use Y: \\nas\backup /user:nas\backup "pass with space"', "pass with space"),
    ("net user svc_backup N3wPassw0rd! /add", "N3wPassw0rd!"),
    (r"psexec \\srv01 -u CORP\admin -p Adm1nPass! cmd /c ipconfig", "Adm1nPass!"),
    (r"PsExec64.exe \\10.0.0.5 -u admin -p 'Qu0ted Pw' hostname", "Qu0ted Pw"),
    (r"runas /user:CORP\admin /password:Runas#2026 mmc.exe", "Runas#2026"),
    ("mysql -u root -pS3cretRoot crm", "S3cretRoot"),
    ("mysqldump -h db01 -u backup -pDumpPass99 --all-databases", "DumpPass99"),
    ("sshpass -p 'Ssh!Pass' ssh admin@10.1.1.1", "Ssh!Pass"),
    ("sshpass -p Plain0ne ssh root@host", "Plain0ne"),
    ("curl -u admin:CurlPass1 https://printer.local/api", "CurlPass1"),
    ("curl --user svc:Another#Pass https://api.local", "Another#Pass"),
    ('ldapsearch -x -H ldap://dc01 -D "cn=admin,dc=corp" -w LdapPw2026 -b dc=corp', "LdapPw2026"),
    ("ldapmodify -D cn=Manager -w Mgr.Pass -f change.ldif", "Mgr.Pass"),
    ("sqlcmd -S sql01 -U sa -P SqlSaPass!", "SqlSaPass!"),
    ("plink -ssh admin@fw01 -pw PlinkPw1 show run", "PlinkPw1"),
    ("smbclient //fs01/share -U jdoe%SmbPass1", "SmbPass1"),
    ("xfreerdp /v:rds01 /u:jdoe /p:RdpPass2026", "RdpPass2026"),
    ("schtasks /create /tn Backup /tr backup.cmd /ru CORP\\svc /rp TaskPw77", "TaskPw77"),
    ("cmdkey /add:fs01 /user:CORP\\jdoe /pass:CmdKeyPw1", "CmdKeyPw1"),
    ("New-ADUser -Name jdoe -AccountPassword Pl@inText1", "Pl@inText1"),
    ("Connect-Thing -ClientSecret 7Q8~abcDEF.ghi", "7Q8~abcDEF.ghi"),
    ("postgres://app:Pg5ecret@db.internal:5432/app", "Pg5ecret"),
    ("smtp://alerts:SmtpPw1@mail.example.com:587", "SmtpPw1"),
    ("http://proxyuser:Pr0xyPw@proxy.corp:3128", "Pr0xyPw"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    (
        "the secret key is Zx9kQ2mN8pL4vB7cR1tY6uI3oP5aS0dF+gH2jK4l in the export",
        "Zx9kQ2mN8pL4vB7cR1tY6uI3oP5aS0dF+gH2jK4l",
    ),
    ("AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    (
        "DefaultEndpointsProtocol=https;AccountName=stor1;AccountKey=Abc123+def456/GHI789==;EndpointSuffix=core.windows.net",
        "Abc123+def456/GHI789==",
    ),
    ("Endpoint=sb://bus.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=SbKey123456=", "SbKey123456="),
    ("https://stor1.blob.core.windows.net/c/f.txt?sv=2022-11-02&se=2026-12-01&sig=AbCd%2BeFgH%3D", "AbCd%2BeFgH%3D"),
    ("Server=tcp:sql01,1433;Initial Catalog=crm;User ID=sa;Password=Sql!Conn1;", "Sql!Conn1"),
    ('Data Source=sql02;User Id=app;Pwd="with space";', "with space"),
    (
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
        "b3BlbnNzaC1rZXktdjEAAAAA",
    ),
    (
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
    ),
    (
        "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "eyJzdWIiOiIxMjM0NTY3ODkwIn0",
    ),
    ("PWD: Hunter2!", "Hunter2!"),
    ("Pass = letmein123", "letmein123"),
    ("SECRET: s3cr3tValue", "s3cr3tValue"),
    ("api-key: 0123abcd4567efgh", "0123abcd4567efgh"),
    ("Token=ZXhhbXBsZXRva2Vu", "ZXhhbXBsZXRva2Vu"),
    ("BitLocker recovery key: 123456-234567-345678-456789", "123456-234567-345678-456789"),
    ("the admin password is Autumn#44", "Autumn#44"),
    ("MYSQL_ROOT_PASSWORD=DockerPw1", "DockerPw1"),
    ("export GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
    ("PGPASSWORD=PgEnvPw psql -h db -U app", "PgEnvPw"),
    ("$cred = ConvertTo-SecureString 'Ps!Secure1' -AsPlainText -Force", "Ps!Secure1"),
    ("Authorization: Bearer abc.def.ghi123", "abc.def.ghi123"),
    ("sk-ant-api03-abcdefghijklmnopqrstuvwxyz", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz"),
    ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    ("https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX", "XXXXXXXXXXXXXXXX"),
]

# Text that looks a bit like a secret and must pass through unchanged.
LOOK_ALIKES = [
    r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE",
    "/var/log/nginx/error.log",
    r"\\fs01\finance\Q3 reports",
    "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}",
    "Tenant ID: 72f988bf-86f1-41af-91ab-2d7cd011db47",
    "SHA1 hash: 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
    "SHA256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "MD5 hash 5d41402abc4b2a76b9719d911017c592",
    "Installed KB5034441 and KB5034122, rebooted",
    "Default gateway 10.0.0.1, DNS 192.168.1.10 and fe80::1ff:fe23:4567:890a",
    "registry key: HKLM\\Software\\Policies\\Microsoft\\Office",
    "msbuild /p:Configuration=Release",
    "net use Z: \\\\fs01\\finance /persistent:yes",
    "net use Z: \\\\fs01\\finance * /user:CORP\\jdoe",
    "ssh -p 2222 admin@10.0.0.5",
    "mysql -u root -p crm",
    "curl -u admin https://printer.local/api",
    "Reset the password via the self-service portal",
    "Passed: 12 tests",
    "Password never expires: False",
    "Get-ADUser jdoe -Properties PasswordLastSet",
    "Thumbprint: 9F3A0B1C2D3E4F5061728394A5B6C7D8E9F0A1B2",
    "Event ID 4625, Logon Type 3, Status 0xC000006D",
    "Ticket T-4821 for Fabrikam, serial 5CG1234XYZ",
    "password: <not set>",
]


@pytest.mark.parametrize(("text", "secret"), SECRETS, ids=[f"secret{i}" for i in range(len(SECRETS))])
def test_secret_is_masked(text, secret):
    result = redact(text)
    assert secret not in result, result
    assert "[REDACTED" in result


@pytest.mark.parametrize("text", LOOK_ALIKES, ids=[f"lookalike{i}" for i in range(len(LOOK_ALIKES))])
def test_look_alike_survives(text):
    assert redact(text) == text


def test_corpus_is_big_enough():
    assert len(SECRETS) >= 40 and len(LOOK_ALIKES) >= 20


def test_label_and_command_stay_readable():
    assert redact("mysql -u root -pS3cret crm") == f"mysql -u root -p{MASK} crm"
    assert redact(r"psexec \\srv -u admin -p Pw1 cmd") == rf"psexec \\srv -u admin -p {MASK} cmd"


FILLER = " ".join(f"word{n}" for n in range(120))  # ~1 KB of ordinary text on each side


@pytest.mark.parametrize(("text", "secret"), SECRETS)
def test_an_excerpt_cut_anywhere_shows_no_secret(text, secret):
    """Search snippets show a stretch of a long text: wherever the cut falls (between a label and
    its value, inside a token), what is shown is redacted as the whole text would be."""
    document = redact_private_keys(f"{FILLER}\n{text}\n{FILLER}")
    at = document.index(text) if text in document else document.index("[REDACTED PRIVATE KEY]")
    for start in range(at - 30, at + len(text) + 1, 3):
        stretch, head, tail = redacted_excerpt(document, start, start + 160)
        assert secret not in stretch[head:tail], (start, stretch[head:tail])


def test_an_excerpt_inside_a_long_token_reads_back_to_its_label():
    token = "".join(f"{n:x}Q" for n in range(400))  # one 1,500-character word
    document = f"{FILLER} refresh_token: {token} {FILLER}"
    start = document.index(token) + 900
    stretch, head, tail = redacted_excerpt(document, start, start + 160)
    assert token[900:960] not in stretch[head:tail] and MASK in stretch
