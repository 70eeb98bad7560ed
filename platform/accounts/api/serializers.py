from __future__ import annotations

from typing import Any

from core import roles
from core.errors import DomainError
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from boundaries.levels import Level
from boundaries.models import AdminUnit

from ..models import Department, LoginType, Organisation, Role, User


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key the requesting user may only point inside their jurisdiction."""

    def __init__(self, model: type[Model], **kwargs: Any) -> None:
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        manager: Any = self.model._default_manager  # a scoped model's manager (ScopedQuerySet)
        return manager.visible_to(request.user if request else None)


class UnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdminUnit
        fields = ["id", "code", "name", "level", "kind", "path"]


class CapabilitiesSerializer(serializers.Serializer):
    """``core.roles.capabilities``: what the client may offer this user."""

    resident = serializers.BooleanField()
    staff = serializers.BooleanField()
    write = serializers.BooleanField()
    review = serializers.BooleanField()
    reveal = serializers.BooleanField()
    export = serializers.BooleanField()
    export_full = serializers.BooleanField()
    unit_admin = serializers.BooleanField()
    population = serializers.BooleanField()
    seals = serializers.BooleanField()
    draw_levels = serializers.ListField(child=serializers.IntegerField())


class MeSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)
    capabilities = serializers.SerializerMethodField()
    population_enabled = serializers.SerializerMethodField()
    department: serializers.StringRelatedField = serializers.StringRelatedField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "role", "login_type", "unit", "department", "capabilities",
                  "population_enabled"]

    @extend_schema_field(CapabilitiesSerializer)
    def get_capabilities(self, user: User) -> dict[str, Any]:
        return roles.capabilities(user)

    def get_population_enabled(self, user: User) -> bool:
        return bool(settings.POPULATION_ENABLED)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class UserSerializer(serializers.ModelSerializer):
    unit = ScopedRelatedField(AdminUnit)
    department = ScopedRelatedField(Department, required=False, allow_null=True)
    password = serializers.CharField(write_only=True, required=False, trim_whitespace=False)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "password", "unit", "unit_name", "role", "login_type",
                  "department", "is_active", "last_login", "date_joined"]
        read_only_fields = ["id", "last_login", "date_joined"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance: User | None = self.instance
        actor: User = self.context["request"].user
        unit: AdminUnit | None = attrs.get("unit", instance.unit if instance else None)
        role = attrs.get("role", instance.role if instance else Role.STAFF)
        login_type = attrs.get("login_type", instance.login_type if instance else LoginType.COMMUNITY)
        if instance is not None and instance.pk == actor.pk and any(
            k in attrs and attrs[k] != getattr(instance, k) for k in ("role", "unit", "is_active")
        ):
            raise DomainError("self_change", "不能修改自己的角色、所属单位或启用状态。")
        if unit is None:
            raise DomainError("unit_required", "请选择账号所属单位。")
        if (role == Role.RESIDENT) != (login_type == LoginType.RESIDENT):
            raise DomainError("role_login_type", "居民角色与居民登录类型须同时使用。")
        if login_type == LoginType.GOVERNMENT and unit.level > Level.TOWN:
            raise DomainError("login_type_level", "政府部门账号只能属于区县或镇街。")
        if login_type == LoginType.COMMUNITY and unit.level < Level.COMMUNITY:
            raise DomainError("login_type_level", "村·社区账号只能属于村（社区）及以下单位。")
        dept: Department | None = attrs.get("department", instance.department if instance else None)
        if dept is not None and not unit.path.startswith(dept.organisation.unit.path):
            raise DomainError("department_unit", "所选部门不属于该账号所属单位。")
        password = attrs.get("password")
        if instance is None and not password:
            raise DomainError("password_required", "新账号须设置初始密码。")
        if password:
            probe = instance or User(username=attrs.get("username", ""), display_name=attrs.get("display_name", ""))
            try:
                validate_password(password, probe)
            except DjangoValidationError as exc:
                raise DomainError("password_policy", "；".join(exc.messages)) from None
        return attrs

    def create(self, validated: dict[str, Any]) -> User:
        password = validated.pop("password")
        user = User(**validated)
        user.set_password(password)
        user.save()
        return user

    def update(self, instance: User, validated: dict[str, Any]) -> User:
        validated.pop("password", None)  # password changes go through set_password (audited)
        return super().update(instance, validated)


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class OrganisationSerializer(serializers.ModelSerializer):
    unit = ScopedRelatedField(AdminUnit)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "unit", "unit_name"]


class DepartmentSerializer(serializers.ModelSerializer):
    organisation = ScopedRelatedField(Organisation)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "organisation", "organisation_name"]
