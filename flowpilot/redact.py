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
    r"|accountkey|sharedaccesskey|sharedaccesssignature"
)

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
    # Connection-string style: Password=...; Pwd=...; AccountKey=...;
    _p(
        "connection_string",
        r"(?P<keep>\b(?:password|pwd|accountkey|sharedaccesskey|sharedaccesssignature)\s*=\s*)[^;\s\"']+",
        r"\g<keep>" + MASK,
    ),
    # key: value / key=value / "key": "value" with a secret-looking key name.
    _p(
        "labelled_secret",
        rf"(?P<keep>\b(?:{_KEY_NAMES})\b[\"']?\s*(?::|=|\bis\b)\s*[\"']?)(?!\[REDACTED)[^\s\"',;]+",
        r"\g<keep>" + MASK,
    ),
    _p(
        "secure_string",
        r"(?P<keep>ConvertTo-SecureString\s+(?:-String\s+)?)([\"'])[^\"']*\2",
        r"\g<keep>'" + MASK + "'",
    ),
    # `net user jdoe NewP@ss1 /domain` sets a password in clear.
    _p("net_user", r"(?P<keep>\bnet\s+user\s+\S+\s+)(?!/)(?!\*)\S+", r"\g<keep>" + MASK),
    _p("anthropic_openai_key", r"\bsk-(?:ant-)?[A-Za-z0-9_\-]{16,}", MASK, 0),
    _p("aws_access_key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", MASK, 0),
    _p("github_token", r"\bgh[pousr]_[A-Za-z0-9]{30,}\b", MASK, 0),
    _p("slack_token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}", MASK, 0),
    _p("jwt", r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}", MASK, 0),
]


def redact(text: str) -> str:
    """`text` with every secret matched by PATTERNS replaced by [REDACTED]."""
    if not text:
        return text
    for pattern in PATTERNS:
        text = pattern.regex.sub(pattern.replacement, text)
    return text
