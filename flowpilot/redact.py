"""Secret redaction for anything that leaves a session (ticket notes, AI prompts, PSA).

Every pattern lives in PATTERNS below; add one line to cover a new kind of secret.
Each pattern keeps the label (e.g. "Password=") and replaces only the secret.
"""

import re
from dataclasses import dataclass

MASK = "[REDACTED]"


@dataclass(frozen=True)
class Pattern:
    name: str
    regex: re.Pattern
    # Replacement template; \g<keep> keeps the label in front of the secret.
    replacement: str = MASK


def _p(name: str, regex: str, replacement: str = MASK, flags: int = re.IGNORECASE) -> Pattern:
    return Pattern(name, re.compile(regex, flags), replacement)


_KEY_NAMES = (
    r"password|passwd|pass|pwd|passphrase|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?key"
    r"|secret[_-]?key|private[_-]?key|token|access[_-]?token|refresh[_-]?token|auth[_-]?token|sas[_-]?token"
    r"|accountkey|sharedaccesskey|sharedaccesssignature|secret[_-]?access[_-]?key|key"
)
# A label's value that is a path, a registry key or a placeholder is not a secret:
# "registry key: HKLM\...", "key = C:\keys\a.pem", "password: <not set>".
_NOT_A_VALUE = r"(?!\[REDACTED|HK[A-Z_]*[:\\]|[A-Za-z]:\\|\\\\|/|<|\*+(?:\s|$)|\$\{|%[A-Z_]+%)"
# One command line: what follows a command name up to the flag, within the line.
_ON_LINE = r"[^\n]*?"
# One shell word: quoted (spaces allowed) or bare.
_WORD = r"(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s\"']+)"


def _arg(name: str, before: str, flags: int = re.IGNORECASE) -> Pattern:
    """Mask the shell word that follows `before` (a command up to its flag), keeping `before`."""
    return _p(name, rf"(?P<keep>{before}){_WORD}", r"\g<keep>" + MASK, flags)


PATTERNS: list[Pattern] = [
    # PEM blocks first: they span lines and would otherwise be split by later patterns.
    _p(
        "private_key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----.*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|\Z)",
        "[REDACTED PRIVATE KEY]",
        re.DOTALL,
    ),
    _p("bearer", r"(?P<keep>\bBearer\s+)[A-Za-z0-9\-._~+/]+=*", r"\g<keep>" + MASK),
    _p("basic_auth", r"(?P<keep>\bAuthorization:\s*Basic\s+)[A-Za-z0-9+/]+=*", r"\g<keep>" + MASK),
    # scheme://user:password@host (database URLs, proxies, SMTP).
    _p("url_credentials", r"(?P<keep>\b[a-z][a-z0-9+.\-]*://[^\s:/@]+:)[^\s@/]+(?=@)", r"\g<keep>" + MASK),
    # Connection-string style: Password=...; Pwd=...; AccountKey=...; (a quoted value may hold spaces).
    _p(
        "connection_string",
        r"(?P<keep>\b(?:password|pwd|accountkey|sharedaccesskey|sharedaccesssignature)\s*=\s*)"
        r"(?:\"[^\"\n]*\"|'[^'\n]*'|[^;\s\"']+)",
        r"\g<keep>" + MASK,
    ),
    # Azure SAS tokens in URLs: ...?sv=2022-11-02&sig=abc%2Bdef
    _p("sas_signature", r"(?P<keep>[?&]sig=)[^&\s\"']+", r"\g<keep>" + MASK),
    # Positional passwords in admin commands.
    # net use Z: \\srv\share PASSWORD /user:CORP\jdoe   and   net use \\srv\share /user:CORP\jdoe PASSWORD
    _arg("net_use_after_user", rf"\bnet\s+use\b{_ON_LINE}/user:\S+\s+(?![/*])"),
    _p(
        "net_use_before_user",
        r"(?P<keep>\bnet\s+use\s+(?:[A-Za-z]:\s+)?\\\\\S+\s+)(?![/*])" + _WORD + r"(?=\s+/user:)",
        r"\g<keep>" + MASK,
    ),
    # `net user jdoe NewP@ss1 /domain` sets a password in clear.
    _arg("net_user", r"\bnet\s+user\s+\S+\s+(?![/*])"),
    _arg("psexec_p", rf"\b(?:psexec|paexec)(?:64)?(?:\.exe)?\b{_ON_LINE}\s-p\s+"),
    _arg("sshpass_p", r"\bsshpass\s+-p\s*"),
    _arg("plink_pw", rf"\b(?:plink|pscp|psftp)(?:\.exe)?\b{_ON_LINE}\s-pw\s+"),
    # mysql -uroot -pS3cret (the password is glued to -p; a bare -p prompts).
    _arg("mysql_p", rf"\b(?:mysql|mysqldump|mysqladmin|mariadb)\b{_ON_LINE}\s-p(?=\S)"),
    _arg("sqlcmd_p", rf"\b(?:sqlcmd|bcp|osql)(?:\.exe)?\b{_ON_LINE}\s-P\s*", 0),
    _arg("ldap_w", rf"\bldap\w+\b{_ON_LINE}\s-w\s+"),
    # curl -u user:pass / --user user:pass (a bare user prompts for the password).
    _p(
        "curl_user",
        rf"(?P<keep>\bcurl\b{_ON_LINE}\s(?:-u|--user)\s*[\"']?[^\s:\"']+:)[^\s\"']+",
        r"\g<keep>" + MASK,
    ),
    _p(
        "smbclient_user",
        rf"(?P<keep>\b(?:smbclient|rpcclient|smbmap)\b{_ON_LINE}\s-U\s*[^\s%]+%)\S+",
        r"\g<keep>" + MASK,
    ),
    _arg("freerdp_p", rf"\bx?freerdp\b{_ON_LINE}\s/p:"),
    _arg("schtasks_rp", rf"\bschtasks\b{_ON_LINE}\s/rp\s+(?!\*)"),
    # Windows switches: /password:X, /pass:X (cmdkey), /pwd:X.
    _arg("windows_switch", r"\s/(?:password|pass|pwd|passwd):"),
    # PowerShell parameters: -Password 'x', -AccountPassword x, -ClientSecret x.
    _p(
        "powershell_parameter",
        r"(?P<keep>\s-(?:\w*Password|Pwd|ClientSecret|Secret|Token|ApiKey)\s+)(?![-($])" + _WORD,
        r"\g<keep>" + MASK,
    ),
    # Environment variables: MYSQL_ROOT_PASSWORD=x, AWS_SECRET_ACCESS_KEY=x, GITHUB_TOKEN=x.
    _p(
        "env_secret",
        r"(?P<keep>\b[A-Z0-9_]*(?:PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_KEY|ACCESS_KEY|SECRET_KEY)\s*=\s*)"
        + _NOT_A_VALUE
        + _WORD,
        r"\g<keep>" + MASK,
        0,
    ),
    # key: value / key=value / "key": "value" / "password is x" with a secret-looking key name, any case.
    _p(
        "labelled_secret",
        rf"(?P<keep>\b(?:{_KEY_NAMES})\b[\"']?\s*(?::|=|\bis\b)\s*[\"']?){_NOT_A_VALUE}[^\s\"',;]+",
        r"\g<keep>" + MASK,
    ),
    _p(
        "secure_string",
        r"(?P<keep>ConvertTo-SecureString\s+(?:-String\s+)?)([\"'])[^\"']*\2",
        r"\g<keep>'" + MASK + "'",
    ),
    _p("anthropic_openai_key", r"\bsk-(?:ant-)?[A-Za-z0-9_\-]{16,}", MASK, 0),
    _p("stripe_key", r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}", MASK, 0),
    _p("google_api_key", r"\bAIza[0-9A-Za-z_\-]{35}\b", MASK, 0),
    _p("aws_access_key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", MASK, 0),
    # AWS secret access key: 40 base64 characters with upper, lower and a digit; never
    # all hex (a SHA-1), never a path (no leading slash).
    _p(
        "aws_secret_key",
        r"(?<![A-Za-z0-9/+=])(?!/)(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[0-9])"
        r"(?![0-9a-fA-F]{40}(?![A-Za-z0-9/+=]))[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])",
        MASK,
        0,
    ),
    _p("github_token", r"\bgh[pousr]_[A-Za-z0-9]{30,}\b", MASK, 0),
    _p("github_pat", r"\bgithub_pat_[A-Za-z0-9_]{40,}\b", MASK, 0),
    _p("slack_token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}", MASK, 0),
    _p("slack_webhook", r"(?P<keep>https://hooks\.slack\.com/services/)[A-Za-z0-9/]+", r"\g<keep>" + MASK, 0),
    _p("jwt", r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}", MASK, 0),
]


def redact(text: str) -> str:
    """`text` with every secret matched by PATTERNS replaced by [REDACTED]."""
    if not text:
        return text
    for pattern in PATTERNS:
        text = pattern.regex.sub(pattern.replacement, text)
    return text


# Every pattern but the private key finds its secret within this many characters of its label
# (a command line's flag, "password:", "Bearer", a URL's scheme); a PEM block can be kilobytes long.
LABEL_REACH = 200
# A secret longer than LABEL_REACH (a token, a JWT) is read back to its start, this far at most.
TOKEN_REACH = 8192
_PRIVATE_KEY = PATTERNS[0]


def redact_private_keys(text: str) -> str:
    """Only the PEM blocks: cheap on text without one, and what a bounded excerpt cannot see whole."""
    if not text or "PRIVATE KEY-----" not in text:
        return text
    return _PRIVATE_KEY.regex.sub(_PRIVATE_KEY.replacement, text)


def redacted_excerpt(text: str, start: int, end: int) -> tuple[str, int, int]:
    """`text[start:end]` redacted as it reads in `text`, not on its own: a cut between a label
    ("password:") and its value, or through a token, would leave the secret past any pattern's
    reach. Redacts the excerpt with its context (the words it cuts through, whole, and
    LABEL_REACH characters beyond them); returns that redacted stretch and where the excerpt lies
    in it (give or take what a mask in the context changed: either way the cut falls in redacted
    text). Run `redact_private_keys` over the whole text first.
    """
    low = max(0, _word_start(text, start) - LABEL_REACH)
    high = min(len(text), _word_end(text, end) + LABEL_REACH)
    stretch = redact(text[low:high])
    head = min(start - low, len(stretch))
    return stretch, head, max(head, len(stretch) - (high - end))


_BLANKS = " \n\t\r"


def _word_start(text: str, at: int) -> int:
    """Where the word `at` cuts through begins (`at` itself between words), TOKEN_REACH back at most."""
    floor = max(0, at - TOKEN_REACH)
    blank = max(text.rfind(c, floor, at) for c in _BLANKS)
    return blank + 1 if blank >= 0 else floor


def _word_end(text: str, at: int) -> int:
    """Where the word `at` cuts through ends (`at` itself between words), TOKEN_REACH on at most."""
    ceiling = min(len(text), at + TOKEN_REACH)
    found = [i for i in (text.find(c, at, ceiling) for c in _BLANKS) if i >= 0]
    return min(found) if found else ceiling
