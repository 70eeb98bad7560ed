from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号与机构"

    def ready(self) -> None:
        from audit import registry
        from django.contrib.auth.signals import user_login_failed

        from . import throttle
        from .models import Department, Organisation, User

        user_login_failed.connect(throttle.on_login_failed, dispatch_uid="accounts-login-failed")
        # Password hashes never go into the audit log; last_login changes on every sign-in.
        registry.register(User, unit_path=lambda u: u.unit.path if u.unit_id else "",
                          exclude=("password", "last_login"))
        registry.register(Organisation, unit_path=lambda o: o.unit.path)
        registry.register(Department, unit_path=lambda d: d.organisation.unit.path)
