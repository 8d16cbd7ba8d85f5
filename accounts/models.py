"""Tenants (Account), teams and the custom User with its account role."""

import re
import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from resolutionflow.text import validate_name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    ENGINEER = "engineer", "Engineer"
    VIEWER = "viewer", "Viewer"


ENGINEER_OR_ADMIN = frozenset({Role.OWNER, Role.ADMIN, Role.ENGINEER})
ADMIN_OR_OWNER = frozenset({Role.OWNER, Role.ADMIN})


class Account(models.Model):
    """An MSP: the tenant every business row belongs to."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120, validators=[validate_name])
    code = models.CharField(max_length=20, unique=True, help_text="Short uppercase code operators use, e.g. NORTHWIND.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @staticmethod
    def code_from_name(name: str) -> str:
        """First word of the name, uppercased and stripped to A-Z0-9, at most 16 chars."""
        words = re.findall(r"[A-Za-z0-9]+", name)
        base = (words[0] if words else "ACCOUNT").upper()[:16]
        return base

    @classmethod
    def unique_code_for(cls, name: str) -> str:
        base = cls.code_from_name(name)
        code, n = base, 2
        while cls.objects.filter(code=code).exists():
            code = f"{base[:16]}{n}"
            n += 1
        return code


class Team(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=80, validators=[validate_name])

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="team_name_unique_per_account")]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email; belongs to at most one account."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=120, blank=True, validators=[validate_name])
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="users", null=True, blank=True)
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, related_name="members", null=True, blank=True)
    account_role = models.CharField(max_length=10, choices=Role.choices, default=Role.ENGINEER)
    email_notifications = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Operators who may use Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name", "email"]
        indexes = [models.Index(fields=["account", "account_role", "is_active"], name="user_account_role_idx")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    def has_role(self, roles) -> bool:
        """The role rule, once: a member of an account whose role is one of `roles` (accounts.access.has_role)."""
        return self.account_id is not None and self.account_role in roles

    @property
    def is_engineer_or_admin(self) -> bool:
        """For templates, which cannot pass arguments; the same rule as `has_role`."""
        return self.has_role(ENGINEER_OR_ADMIN)

    @property
    def is_admin_or_owner(self) -> bool:
        return self.has_role(ADMIN_OR_OWNER)
