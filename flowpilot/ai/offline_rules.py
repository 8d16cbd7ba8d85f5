# ruff: noqa: E501 -- commands are kept on one line so they copy-paste as they are.
"""The rule book of the offline copilot: common MSP problems, their usual causes and steps.

Data only. A rule matches on keywords in the problem, question and domain;
its steps are offered in order, skipping ones the tech already worked.
"""

from dataclasses import dataclass, field

from flowpilot.ai.base import ProposedStep


@dataclass(frozen=True)
class Rule:
    key: str
    domain: str
    keywords: tuple[str, ...]
    assessment: str
    likely_cause: str
    steps: tuple[ProposedStep, ...] = field(default_factory=tuple)


def S(title: str, detail: str, command: str = "", expected: str = "") -> ProposedStep:
    return ProposedStep(title=title, detail=detail, command=command, expected_result=expected)


RULES: tuple[Rule, ...] = (
    Rule(
        "outlook_password",
        "email",
        (
            "outlook",
            "password prompt",
            "prompting for a password",
            "keeps prompting",
            "credential prompt",
            "asks for password",
        ),
        "Repeated Outlook password prompts usually come from a stale cached credential, "
        "modern authentication being disabled or bypassed, or a broken Autodiscover lookup.",
        "Stale cached Office credentials or modern authentication not being used by the Outlook profile",
        (
            S(
                "Check the account is not locked or its password expired",
                "Confirm the user can sign in at https://outlook.office.com in a private window.",
                "Get-MgUser -UserId user@client.com -Property AccountEnabled,LastPasswordChangeDateTime",
                "Web sign-in works and the account is enabled.",
            ),
            S(
                "Clear cached Office credentials in Credential Manager",
                "Remove every MicrosoftOffice16_Data / ADAL / Outlook entry, then restart Outlook.",
                'cmdkey /list | findstr /i "MicrosoftOffice outlook"',
                "No stale Office entries remain; Outlook asks once and then stays quiet.",
            ),
            S(
                "Confirm modern authentication is enabled for the tenant",
                "Legacy basic auth prompts loop forever against Exchange Online.",
                "Get-OrganizationConfig | Format-List OAuth2ClientProfileEnabled",
                "OAuth2ClientProfileEnabled : True",
            ),
            S(
                "Test Autodiscover for the mailbox",
                "Hold Ctrl, right-click the Outlook tray icon, Test E-mail AutoConfiguration (untick Guessmart).",
                "",
                "Autodiscover resolves to outlook.office365.com without certificate warnings.",
            ),
            S(
                "Check the device is Entra-registered and the WAM broker works",
                "A broken Web Account Manager makes Office fall back to prompting.",
                "dsregcmd /status",
                "AzureAdPrt : YES for the signed-in user.",
            ),
            S(
                "Create a fresh Outlook profile",
                "Control Panel > Mail > Show Profiles > Add, then set it as default.",
                "outlook.exe /profiles",
                "The new profile connects without prompting.",
            ),
            S(
                "Repair Office (Quick Repair, then Online Repair)",
                "Last resort for a corrupted Office identity cache.",
                "",
                "Outlook opens and stays connected.",
            ),
        ),
    ),
    Rule(
        "vpn",
        "networking",
        ("vpn", "anyconnect", "globalprotect", "forticlient", "wireguard", "ipsec", "tunnel", "remote access"),
        "VPN failures split into three groups: the client cannot reach the gateway, authentication "
        "fails, or the tunnel comes up but routes/DNS are wrong.",
        "The tunnel authenticates but split-tunnel routes or VPN DNS settings are wrong for the user's network",
        (
            S(
                "Check the gateway is reachable from the user's network",
                "Rules out the home router, ISP or hotel Wi-Fi blocking the VPN port.",
                "Test-NetConnection vpn.client.com -Port 443",
                "TcpTestSucceeded : True",
            ),
            S(
                "Read the VPN client log for the exact failure",
                "Note the error code at the moment the connection drops.",
                "",
                "A specific error (auth failure, certificate, timeout) to act on.",
            ),
            S(
                "Verify the user's VPN group membership and account status",
                "The user must be in the VPN access group and not locked out.",
                "Get-ADUser jdoe -Properties MemberOf,LockedOut | Select-Object LockedOut,MemberOf",
                "LockedOut False and the VPN group listed.",
            ),
            S(
                "Check for a local subnet overlap",
                "A home network on the same range as the office (e.g. 192.168.1.0/24) breaks routing.",
                "route print",
                "No overlap between the local subnet and the office ranges.",
            ),
            S(
                "Test name resolution over the tunnel",
                "If IPs work but names do not, VPN DNS is not applied.",
                "Resolve-DnsName fileserver.corp.local",
                "The internal name resolves to an internal IP.",
            ),
            S(
                "Reinstall or update the VPN client",
                "Driver or virtual adapter corruption after Windows updates is common.",
                "",
                "The client connects after reinstall.",
            ),
        ),
    ),
    Rule(
        "ad_lockout",
        "identity",
        ("locked out", "lockout", "account locked", "keeps locking", "bad password count", "4740"),
        "Repeated lockouts almost always come from an old password cached somewhere: a phone mail "
        "profile, a mapped drive, a scheduled task or a service.",
        "A device or service still using the user's old password (phone mail client, mapped drive or saved credential)",
        (
            S(
                "Find the lockout source on the PDC emulator",
                "Event 4740 names the calling computer.",
                "Get-WinEvent -ComputerName (Get-ADDomain).PDCEmulator -FilterHashtable @{LogName='Security';Id=4740} -MaxEvents 20",
                "A Caller Computer Name for each lockout.",
            ),
            S(
                "Check bad password count on each domain controller",
                "Shows which DC the bad attempts hit.",
                "Get-ADDomainController -Filter * | % { Get-ADUser jdoe -Server $_.HostName -Properties BadPwdCount,LastBadPasswordAttempt }",
                "The DC and time of the latest bad attempt.",
            ),
            S(
                "Remove the user's mail profile from their phone and re-add it",
                "ActiveSync devices retry with the old password every few minutes.",
                "Get-MobileDevice -Mailbox jdoe | Select-Object DeviceModel,LastSuccessSync",
                "Lockouts stop after the phone is updated.",
            ),
            S(
                "Clear saved Windows credentials on the user's PC",
                "Mapped drives and RDP entries keep old passwords.",
                "cmdkey /list",
                "No stale domain credentials.",
            ),
            S(
                "Check services and scheduled tasks running as the user",
                "A service account misuse locks the user at each restart.",
                "Get-CimInstance Win32_Service | Where-Object StartName -like '*jdoe*'",
                "No services or tasks run as the user.",
            ),
            S(
                "Unlock the account and monitor",
                "Unlock once the source is fixed, then watch for new 4740 events.",
                "Unlock-ADAccount jdoe",
                "No new lockout within an hour.",
            ),
        ),
    ),
    Rule(
        "dns",
        "networking",
        ("dns", "resolve", "name resolution", "nslookup", "can't reach website", "cannot reach site", "dns_probe"),
        "Name resolution problems are usually a wrong DNS server handed out by DHCP, a stale cache, "
        "or a forwarder / conditional forwarder that stopped answering.",
        "Clients are using a DNS server that cannot resolve the zone (wrong DHCP option or dead forwarder)",
        (
            S(
                "Check which DNS servers the client uses",
                "",
                'ipconfig /all | findstr /i "DNS Servers"',
                "Only the internal DNS servers are listed.",
            ),
            S(
                "Query the failing name against each DNS server",
                "Tells a client problem from a server problem.",
                "nslookup intranet.client.local 10.0.0.10",
                "An answer with the expected IP.",
            ),
            S("Flush the client DNS cache", "", "ipconfig /flushdns", "Successfully flushed the DNS Resolver Cache."),
            S(
                "Check the DNS server's forwarders",
                "Dead forwarders make external names fail.",
                "Get-DnsServerForwarder",
                "Forwarders respond to a test query.",
            ),
            S(
                "Check the DHCP scope's DNS option (006)",
                "",
                "Get-DhcpServerv4OptionValue -ScopeId 10.0.0.0 -OptionId 6",
                "The internal DNS servers, not the router or a public resolver.",
            ),
            S(
                "Look for a stale or wrong record in the zone",
                "",
                "Get-DnsServerResourceRecord -ZoneName client.local -Name intranet",
                "One record with the current IP.",
            ),
        ),
    ),
    Rule(
        "mail_flow",
        "email",
        (
            "mail flow",
            "not receiving",
            "bounce",
            "ndr",
            "not delivered",
            "stuck in queue",
            "spam",
            "quarantine",
            "emails not arriving",
            "exchange",
        ),
        "Mail-flow issues are found fastest with a message trace: it shows whether the mail reached "
        "the tenant, was filtered, or was never sent.",
        "Messages are filtered (quarantine / transport rule) or MX/connector records point to the wrong place",
        (
            S(
                "Run a message trace for the missing message",
                "Use sender, recipient and a 48 h window.",
                "Get-MessageTrace -RecipientAddress user@client.com -StartDate (Get-Date).AddDays(-2) -EndDate (Get-Date)",
                "A status of Delivered, FilteredAsSpam, Quarantined or Failed.",
            ),
            S(
                "Check the quarantine",
                "",
                "Get-QuarantineMessage -RecipientAddress user@client.com",
                "The message is either released or not there.",
            ),
            S(
                "Verify MX, SPF and DKIM records",
                "A changed MX or broken SPF causes bounces from external senders.",
                "Resolve-DnsName client.com -Type MX",
                "MX points to client-com.mail.protection.outlook.com.",
            ),
            S(
                "Review transport (mail flow) rules",
                "A rule may redirect or delete the message.",
                "Get-TransportRule | Format-Table Name,State,Priority",
                "No rule matches the affected messages.",
            ),
            S(
                "Check the recipient's inbox rules and forwarding",
                "",
                "Get-InboxRule -Mailbox user@client.com",
                "No rule moves or deletes the messages.",
            ),
            S(
                "Read the NDR code from the sender",
                "5.7.x codes point to policy, 5.1.x to the address, 4.x to a temporary delay.",
                "",
                "A specific status code to act on.",
            ),
        ),
    ),
    Rule(
        "mfa",
        "identity",
        (
            "mfa",
            "2fa",
            "authenticator",
            "multi-factor",
            "multifactor",
            "verification code",
            "push notification",
            "number matching",
        ),
        "MFA problems are usually a new phone without the authenticator re-registered, a clock "
        "skew for codes, or a Conditional Access policy blocking the sign-in.",
        "The user's registered MFA method is on an old phone or no longer valid",
        (
            S(
                "Read the sign-in log for the failed attempt",
                "Entra admin center > Users > Sign-in logs: note the failure reason and CA policy.",
                "Get-MgAuditLogSignIn -Filter \"userPrincipalName eq 'user@client.com'\" -Top 5",
                "A failure reason (MFA denied, CA blocked, method not registered).",
            ),
            S(
                "List the user's registered authentication methods",
                "",
                "Get-MgUserAuthenticationMethod -UserId user@client.com",
                "The current phone is among the methods.",
            ),
            S(
                "Check the phone's time is set automatically",
                "TOTP codes fail with more than ~30 s of clock skew.",
                "",
                "Phone time is automatic and correct.",
            ),
            S(
                "Require re-registration of MFA",
                "After verifying identity out of band, revoke methods so the user registers again.",
                "Revoke-MgUserSignInSession -UserId user@client.com",
                "The user registers the new phone at next sign-in.",
            ),
            S(
                "Issue a Temporary Access Pass",
                "Lets the user sign in once to register a new method.",
                "",
                "The user signs in with the TAP and registers Authenticator.",
            ),
        ),
    ),
    Rule(
        "printer",
        "printing",
        ("printer", "print", "spooler", "printing", "print queue", "toner", "scan to"),
        "Printing problems are usually a stuck spooler, a driver mismatch after an update, or the "
        "printer's IP changing under a static port.",
        "The print spooler is stuck or the printer's IP changed and the port still points to the old one",
        (
            S(
                "Ping the printer by its configured port address",
                "",
                "Get-PrinterPort | Select-Object Name,PrinterHostAddress",
                "The printer answers on the port's address.",
            ),
            S(
                "Clear the queue and restart the print spooler",
                "",
                "Stop-Service Spooler -Force; Remove-Item C:\\Windows\\System32\\spool\\PRINTERS\\* -Force; Start-Service Spooler",
                "The queue is empty and the spooler is Running.",
            ),
            S(
                "Print a test page from the printer's own panel",
                "Separates the device from the network/driver.",
                "",
                "The printer prints its own test page.",
            ),
            S(
                "Check the driver version and reinstall it",
                "Type-4 / universal drivers often break after Windows updates.",
                "Get-PrinterDriver | Select-Object Name,MajorVersion,DriverVersion",
                "The vendor's current driver is installed.",
            ),
            S(
                "Check the print server's event log",
                "",
                "Get-WinEvent -LogName Microsoft-Windows-PrintService/Admin -MaxEvents 20",
                "No driver or port errors.",
            ),
        ),
    ),
    Rule(
        "disk_full",
        "server",
        (
            "disk full",
            "low disk",
            "disk space",
            "out of space",
            "c: drive",
            "drive is full",
            "no space left",
            "storage full",
        ),
        "A full disk is usually logs, a runaway temp or cache folder, WinSxS/update leftovers, or a "
        "stuck backup/shadow copy.",
        "A log, temp or shadow-copy folder grew without cleanup",
        (
            S(
                "Measure free space on every volume",
                "",
                "Get-Volume | Select-Object DriveLetter,SizeRemaining,Size",
                "The volume(s) under 10% free.",
            ),
            S(
                "Find the largest folders",
                "TreeSize or du show where the space went.",
                "Get-ChildItem C:\\ -Directory | % { [pscustomobject]@{Path=$_.FullName; GB=(Get-ChildItem $_.FullName -Recurse -File -ErrorAction SilentlyContinue | Measure-Object Length -Sum).Sum/1GB} } | Sort-Object GB -Descending | Select -First 10",
                "One or two folders stand out.",
            ),
            S(
                "Check shadow copy storage",
                "",
                "vssadmin list shadowstorage",
                "Used shadow copy storage well under its maximum.",
            ),
            S(
                "Clean up the component store",
                "",
                "Dism.exe /Online /Cleanup-Image /StartComponentCleanup",
                "Several GB reclaimed from WinSxS.",
            ),
            S(
                "Rotate or move application logs (IIS, SQL, app logs)",
                "",
                "Get-ChildItem C:\\inetpub\\logs -Recurse | Measure-Object Length -Sum",
                "Old logs archived or removed; log rotation configured.",
            ),
        ),
    ),
    Rule(
        "certificate",
        "security",
        ("certificate", "cert", "ssl", "tls", "expired", "not secure", "untrusted", "https error"),
        "Certificate errors are usually an expired certificate, a missing intermediate in the chain, "
        "or a name mismatch after a host name change.",
        "The certificate expired or the server does not send the intermediate certificate chain",
        (
            S(
                "Check the certificate's expiry and names",
                "",
                "openssl s_client -connect host.client.com:443 -servername host.client.com </dev/null | openssl x509 -noout -dates -subject -ext subjectAltName",
                "notAfter in the future; the host name in the SAN list.",
            ),
            S(
                "Check the chain the server sends",
                "",
                "openssl s_client -connect host.client.com:443 -showcerts </dev/null",
                "Leaf plus intermediate(s) up to a trusted root.",
            ),
            S(
                "Check the client clock",
                "A wrong clock makes valid certificates look expired.",
                "w32tm /query /status",
                "Time source synced, no large offset.",
            ),
            S(
                "Renew and bind the certificate",
                "Renew with the CA or ACME client, then bind it in IIS / the appliance.",
                "Get-ChildItem Cert:\\LocalMachine\\My | Select-Object Subject,NotAfter,Thumbprint",
                "The new certificate is bound and served.",
            ),
        ),
    ),
    Rule(
        "wifi",
        "networking",
        ("wi-fi", "wifi", "wireless", "ssid", "access point", "keeps disconnecting", "drops connection"),
        "Wi-Fi drops are usually weak signal/roaming, channel interference, a driver/power-saving "
        "issue on the laptop, or 802.1X authentication failing.",
        "Power-saving on the wireless adapter or a poor roaming/channel plan on the access points",
        (
            S(
                "Generate the WLAN report on the laptop",
                "Shows disconnect reasons and times.",
                "netsh wlan show wlanreport",
                "A disconnect reason code around the drop times.",
            ),
            S(
                "Check signal strength and the connected access point",
                "",
                "netsh wlan show interfaces",
                "Signal above 60% and a stable BSSID.",
            ),
            S(
                "Disable power saving on the wireless adapter",
                "Device Manager > adapter > Power Management; set the power plan's wireless setting to Maximum Performance.",
                "powercfg /requests",
                "Drops stop while on battery too.",
            ),
            S(
                "Update the wireless driver",
                "Use the laptop vendor's driver, not the generic Windows one.",
                "",
                "Current vendor driver installed.",
            ),
            S(
                "Check the controller for channel utilisation and RADIUS failures",
                "",
                "",
                "Channel utilisation below ~50%; no RADIUS rejects for the user.",
            ),
        ),
    ),
    Rule(
        "backup",
        "server",
        ("backup", "veeam", "datto", "job failed", "snapshot", "restore", "replication"),
        "Backup failures are usually storage (target full or unreachable), credentials that changed, "
        "or VSS writers in a failed state on the protected server.",
        "VSS writers in a failed state on the protected server, or the backup target running out of space",
        (
            S(
                "Read the job's error in the backup console",
                "Note the exact error and which object failed.",
                "",
                "An error naming storage, credentials or VSS.",
            ),
            S(
                "Check VSS writers on the protected server",
                "",
                "vssadmin list writers",
                "All writers State: Stable, Last error: No error.",
            ),
            S(
                "Check free space on the backup target",
                "",
                "Get-PSDrive -PSProvider FileSystem",
                "Enough free space for the next restore point.",
            ),
            S(
                "Verify the backup service account's credentials",
                "A changed password breaks guest processing.",
                "",
                "Credential test succeeds in the console.",
            ),
            S(
                "Run the job manually and watch it",
                "",
                "",
                "The job completes with Success.",
            ),
        ),
    ),
)

GENERIC = Rule(
    "generic",
    "other",
    (),
    "I don't have a specific playbook for this one, so start by scoping it: who is affected, "
    "since when, and what changed.",
    "Not enough evidence yet; scope the problem (who, since when, what changed) first",
    (
        S(
            "Scope the impact",
            "One user, one site or everyone? Since when?",
            "",
            "A clear blast radius and start time.",
        ),
        S(
            "Check what changed recently",
            "Updates, password changes, new devices, firewall or DNS changes.",
            "Get-HotFix | Sort-Object InstalledOn -Descending | Select-Object -First 5",
            "A change that lines up with the start time.",
        ),
        S(
            "Reproduce the problem and capture the exact error",
            "Screenshot or copy the full message.",
            "",
            "A specific error text.",
        ),
        S(
            "Read the relevant event logs",
            "",
            "Get-WinEvent -LogName System -MaxEvents 50 | Where-Object LevelDisplayName -eq 'Error'",
            "Errors around the time of the failure.",
        ),
        S(
            "Test from a second device or account",
            "Separates user, device and service problems.",
            "",
            "The problem follows the user, the device or neither.",
        ),
    ),
)


@dataclass(frozen=True)
class Cause:
    """One hypothesis of a rule and the rule steps (by index) whose result rules it out."""

    text: str
    tested_by: tuple[int, ...]


# Most likely first. A cause is ruled out once any step that tests it was done or failed
# (or flagged a dead end): the offline assessment then moves on to the next one.
CAUSES: dict[str, tuple[Cause, ...]] = {
    "outlook_password": (
        Cause("Stale cached Office credentials in Credential Manager", (1,)),
        Cause("Modern authentication not in use for the tenant or the Outlook profile", (2,)),
        Cause("A broken Web Account Manager (WAM) broker or device registration", (4,)),
        Cause("Autodiscover sending the profile to the wrong endpoint", (3,)),
        Cause("A corrupt Outlook profile", (5,)),
        Cause("The account locked or its password expired", (0,)),
        Cause("A damaged Office installation", (6,)),
    ),
    "vpn": (
        Cause("Split-tunnel routes or VPN DNS settings wrong for the user's network", (4,)),
        Cause("A local subnet overlapping the office network", (3,)),
        Cause("VPN group membership or account status", (2,)),
        Cause("The gateway unreachable from the user's network", (0,)),
        Cause("An outdated or damaged VPN client", (5,)),
    ),
    "ad_lockout": (
        Cause("A phone mail profile still using the user's old password", (2,)),
        Cause("Saved Windows credentials (a mapped drive or app) with the old password", (3,)),
        Cause("A service or scheduled task running with the old password", (4,)),
    ),
    "dns": (
        Cause("The DHCP scope handing out the wrong DNS server (option 006)", (0, 4)),
        Cause("A dead or wrong forwarder on the DNS server", (3,)),
        Cause("A stale or wrong record in the zone", (1, 5)),
        Cause("A stale client DNS cache", (2,)),
    ),
    "mail_flow": (
        Cause("Messages held in quarantine", (1,)),
        Cause("A transport (mail flow) rule redirecting or blocking them", (3,)),
        Cause("MX, SPF or DKIM records pointing to the wrong place", (2,)),
        Cause("Inbox rules or forwarding on the recipient's mailbox", (4,)),
    ),
    "mfa": (
        Cause("The user's registered MFA method is on an old phone or no longer valid", (1, 3)),
        Cause("The phone's clock drifting, so codes are rejected", (2,)),
    ),
    "printer": (
        Cause("A stuck print spooler", (1,)),
        Cause("The printer's IP changed and the port still points to the old one", (0,)),
        Cause("A faulty or mismatched printer driver", (3,)),
        Cause("A hardware fault on the printer itself", (2,)),
    ),
    "disk_full": (
        Cause("A log folder growing without rotation", (1, 4)),
        Cause("Shadow copy storage grown without a limit", (2,)),
        Cause("A bloated component store (WinSxS)", (3,)),
    ),
    "certificate": (
        Cause("The certificate expired or does not cover the name in use", (0, 3)),
        Cause("The server not sending the intermediate certificate chain", (1,)),
        Cause("A wrong clock on the client", (2,)),
    ),
    "wifi": (
        Cause("Power saving on the wireless adapter", (2,)),
        Cause("An outdated wireless driver", (3,)),
        Cause("A poor roaming or channel plan on the access points", (1, 4)),
    ),
    "backup": (
        Cause("VSS writers in a failed state on the protected server", (1,)),
        Cause("The backup target running out of space", (2,)),
        Cause("Expired credentials of the backup service account", (3,)),
    ),
    "generic": (
        Cause("Not enough evidence yet; scope the problem (who, since when, what changed) first", (0,)),
        Cause("A recent change (update, configuration or password) on the affected systems", (1,)),
        Cause("Something specific to one device or account", (4,)),
    ),
}
